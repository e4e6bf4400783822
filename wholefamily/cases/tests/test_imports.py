"""Importing existing cases from a file (ADR 0011): checked against definitions/cases/existing_cases.yaml, bad rows
by line and reason, all or nothing, and a second import of the same file changes nothing."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
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
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count() - 1) == counts
    assert AuditEvent.objects.filter(action="cases.import_existing_cases").count() == 2  # each import is audited


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


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def test_a_manager_brings_cases_in_from_the_page(client, tmp_path, upload_dir, identified, north, manager, worker):
    client.force_login(manager)
    page = client.get(reverse("cases:import_cases"))
    assert page.status_code == 200 and b"Bring existing cases from a file" in page.content
    assert reverse("cases:import_cases").encode() in client.get(reverse("cases:team")).content
    with write(tmp_path, closed_row(north.name)).open("rb") as handle:
        response = client.post(reverse("cases:import_cases"), {"file": handle})
    assert response.status_code == 302 and response["Location"] == reverse("cases:team")
    assert Case.objects.get().closed_on == date(2025, 7, 31)
    assert AuditEvent.objects.get(action="cases.import_existing_cases").outcome == AuditEvent.Outcome.SUCCESS


def test_the_page_lists_the_problems_and_brings_nothing_in(client, tmp_path, upload_dir, identified, north, manager):
    client.force_login(manager)
    bad = write(tmp_path, f"OLD-2,{HOUSEHOLD},Nowhere Team,2024-09-09,,,,,,,,,,,,")
    with bad.open("rb") as handle:
        response = client.post(reverse("cases:import_cases"), {"file": handle})
    assert response.status_code == 400
    assert b"Nothing was brought in: 1 problem in the file" in response.content
    assert b"no team called &#x27;Nowhere Team&#x27;" in response.content
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cases.csv", b"\xff\xfe\x00binary", b"the file is not UTF-8 text"),
        ("cases.xlsx", b"x", b"The file must be a CSV file"),
        ("cases.csv", b"", b"The file is empty"),
    ],
)
def test_hostile_files_are_refused_with_a_message(client, upload_dir, manager, name, content, message):
    client.force_login(manager)
    response = client.post(reverse("cases:import_cases"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and message in response.content
    response = client.post(reverse("cases:import_cases"), {})
    assert response.status_code == 400 and b"Choose the file of existing cases" in response.content


def test_a_key_worker_may_not_bring_cases_in(client, worker):
    client.force_login(worker)
    assert client.get(reverse("cases:import_cases")).status_code == 403
