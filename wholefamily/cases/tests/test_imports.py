"""Importing existing cases from a file (ADR 0011): checked against definitions/cases/existing_cases.yaml, bad rows
by line and reason, all or nothing, and a second import of the same file changes nothing."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wholefamily.cases.imports import import_existing_cases
from wholefamily.cases.models import Case, CaseEvent
from wholefamily.cases.tests.builders import all_scores
from wholefamily.cases.tests.conftest import HOUSEHOLD
from wholefamily.domain.pathway import EventCode, Stage
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = (
    "case_reference,household_id,team,opened_on,family_name,priority,key_worker,allocated_on,assessed_on,"
    "assessment_scores,plan_agreed_on,plan_aims,review_dates,closed_on,closure_destination,closure_reason"
)


def scores() -> str:
    return ";".join(f"{code}={score}" for code, score in all_scores().items())


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def closed_row(team: str, reference: str = "OLD-1") -> str:
    return (
        f"{reference},{HOUSEHOLD},{team},2024-09-09,the Brook family,1,kim.worker,2024-10-01,2024-10-15,{scores()},"
        "2024-10-29,School every day,2024-11-29;2025-02-28,2025-07-31,outcomes_achieved,Goals met"
    )


def test_a_file_of_existing_cases_comes_in_with_its_history_and_a_second_import_changes_nothing(
    tmp_path, identified, north, manager, worker
):
    path = write(tmp_path, closed_row(north.name))
    result = import_existing_cases(path=path, by=manager)
    assert result.is_accepted and result.imported == ["OLD-1"]
    case = Case.objects.get()
    assert (case.opened_on, case.plan_agreed_on, case.closed_on, case.stage) == (
        date(2024, 9, 9), date(2024, 10, 29), date(2025, 7, 31), Stage.CLOSED)  # fmt: skip
    assert case.key_worker == worker and case.reviews.count() == 2 and case.assessments.count() == 1
    assert case.members.get(person_id="PAST0000003").end_on == date(2025, 3, 14)  # left while the case was open
    opened = CaseEvent.objects.get(case=case, code=EventCode.CASE_OPENED)
    assert timezone.localtime(opened.occurred_at).date() == date(2024, 9, 9)
    assert opened.detail["imported_reference"] == "OLD-1"
    assert AuditEvent.objects.filter(actor=manager, action="cases.close_case", object_id=str(case.pk)).exists()

    counts = (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())
    again = import_existing_cases(path=path, by=manager)
    assert again.is_accepted and again.imported == [] and again.already_there == ["OLD-1"]
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()) == counts


def test_bad_rows_are_reported_by_line_and_reason_and_nothing_is_stored(tmp_path, identified, north, manager, worker):
    path = write(
        tmp_path,
        closed_row(north.name),
        f"OLD-2,{HOUSEHOLD},Nowhere Team,2024-13-01,,,,,,,,,,,,",
        f"OLD-3,{HOUSEHOLD},{north.name},2024-09-09,,4,kim.worker,,2024-09-01,{scores()},,,2024-12-01,,,",
        f"OLD-1,{HOUSEHOLD},{north.name},2024-09-09,,,,,,,,,,,,",
    )
    result = import_existing_cases(path=path, by=manager)
    reasons = {(problem.line, problem.column, problem.reason) for problem in result.problems}
    assert (3, "team", "no team called 'Nowhere Team'") in reasons
    assert (3, "opened_on", "'2024-13-01' is not a date (YYYY-MM-DD)") in reasons
    assert (4, "priority", "'4' is not 1, 2 or 3") in reasons
    assert (4, "allocated_on", "give the key worker and the day they were allocated together") in reasons
    assert (4, "assessed_on", "1 September 2024 is before the step before it (9 September 2024)") in reasons
    assert (4, "assessed_on", "an assessment needs an allocated key worker") in reasons
    assert (4, "review_dates", "a review needs the plan") in reasons
    assert (5, "case_reference", "'OLD-1' is in the file twice") in reasons
    assert not result.is_accepted and result.imported == []
    assert not Case.objects.exists()


def test_a_row_the_services_refuse_undoes_the_whole_file(tmp_path, identified, north, manager, worker, make_team):
    other = make_team("Southvale Family Support", district="Southvale")
    path = write(
        tmp_path,
        closed_row(north.name),
        f"OLD-2,{HOUSEHOLD}X,{other.name},2024-09-09,,,,,,,,,,,,",  # a household no identification found
        f"OLD-3,{HOUSEHOLD},{north.name},2024-08-01,,,,,,,,,,,,",  # before it was identified
    )
    result = import_existing_cases(path=path, by=manager)
    assert [str(problem) for problem in result.problems] == [
        "line 3: You cannot take on families for this team.",
        "line 4: The family cannot come onto the programme before it was identified (31 August 2024).",
    ]
    assert not Case.objects.exists() and result.imported == []


def test_the_header_must_be_the_contracts(tmp_path, manager):
    result = import_existing_cases(path=write(tmp_path, "x,y", header="case_reference,colour"), by=manager)
    assert [str(problem) for problem in result.problems] == [
        "line 1: the header lacks household_id, team, opened_on",
        "line 1: the header has unknown columns colour",
    ]


def test_the_command_prints_the_problems_and_refuses(tmp_path, identified, north, manager, worker):
    path = write(tmp_path, f"OLD-9,{HOUSEHOLD},{north.name},2024-08-01,,,,,,,,,,,,")
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported \\(1 problems\\)"):
        call_command("import_cases", str(path), "--user", manager.username, stdout=out)
    assert "line 2: The family cannot come onto the programme before it was identified (31 August 2024)" in (
        out.getvalue()
    )
    call_command("import_cases", str(write(tmp_path, closed_row(north.name))), "--user", manager.username, stdout=out)
    assert "cases.csv: 1 cases imported, 0 already there" in out.getvalue()
