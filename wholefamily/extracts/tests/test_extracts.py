"""Building an extract over a small county on past dates: every family of the programme and no other, each column as
the records say (the identification the family was taken on from, not a later one; members who left before the
case closed not counted; the newest outcomes run and claim), hostile text escaped, kept as built, built as a job,
read and downloaded only by the roles that may, every download audited."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from wholefamily.domain.roles import Role
from wholefamily.extracts.models import Extract
from wholefamily.extracts.services import ExtractError, build_extract
from wholefamily.extracts.tasks import build_work
from wholefamily.governance.models import AuditEvent
from wholefamily.jobs.models import Job

TF_2015 = "tf-2015-family-progress"


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@dataclass
class World:
    users: dict[str, Any]
    cases: dict[str, Any]
    runs: dict[str, Any]


def _case(reference: str, team: Any, opened: dt.date, **fields: Any) -> Any:
    from wholefamily.cases.models import Case

    return Case.objects.create(
        reference=reference, family_name=f"the {reference} family", team=team, stage_changed_at=_at(opened),
        opened_on=opened, **{"origin": "cohort", "stage": "plan_active", "programme": "tf-2015", **fields},
    )  # fmt: skip


@pytest.fixture
def world(make_team: Callable[..., Any], make_staff: Callable[..., Any]) -> World:
    from wholefamily.cases.models import Allocation, Member
    from wholefamily.claims.models import Claim, ClaimRun
    from wholefamily.identification.models import CohortFamily, IdentificationRun
    from wholefamily.outcomes.models import OutcomeResult, OutcomeRun

    north, south = make_team("North team", "Northmoor"), make_team("South team", "Southvale")
    users = {
        "pm": make_staff("pm", Role.PROGRAMME_MANAGER),
        "analyst": make_staff("analyst", Role.DATA_ANALYST),
        "auditor": make_staff("auditor", Role.AUDITOR),
        "kw": make_staff("kw", Role.KEY_WORKER, team=north),
        "manager": make_staff("manager", Role.TEAM_MANAGER, team=north),
        "commissioner": make_staff("commissioner", Role.COMMISSIONER),
    }
    found = _case("F-0001", north, dt.date(2015, 10, 1), household_id="H1", key_worker=users["kw"],
                  plan_agreed_on=dt.date(2015, 11, 2))  # fmt: skip
    referred = _case("F-0002", south, dt.date(2015, 12, 1), origin="referral", stage="closed",
                     closed_on=dt.date(2016, 5, 1), closure_destination="step_down_universal")  # fmt: skip
    other = _case("F-0003", north, dt.date(2013, 1, 7), programme="tf-2012", household_id="H3")
    Member.objects.create(case=found, display_name="A Parent", role="parenting_adult", start_on=dt.date(2015, 10, 1))
    Member.objects.create(case=found, display_name="A Child", role="child", start_on=dt.date(2015, 10, 1))
    Member.objects.create(case=found, display_name="A Leaver", role="young_person", start_on=dt.date(2015, 10, 1),
                          end_on=dt.date(2015, 12, 1), end_reason="Left home")  # fmt: skip
    # Left on the day the case closed: still in the family when it closed.
    Member.objects.create(case=referred, display_name="B Parent", role="parenting_adult",
                          start_on=dt.date(2015, 12, 1), end_on=dt.date(2016, 5, 1))  # fmt: skip
    Allocation.objects.create(case=referred, worker=users["kw"], allocated_at=_at(dt.date(2015, 12, 2)),
                              allocated_by=users["manager"], ended_at=_at(dt.date(2016, 5, 1)))  # fmt: skip
    runs = {}
    for name, as_of, problems, ward in (
        ("before", dt.date(2015, 8, 31), "crime;education", '=HYPERLINK("http://evil")'),
        ("after", dt.date(2016, 1, 31), "crime;education;work", "Later ward"),
    ):
        run = IdentificationRun.objects.create(
            programme="tf-2015", programme_version=1, programme_title="TF 2015", as_of_on=as_of, snapshot="",
            status=IdentificationRun.Status.SUCCEEDED, started_at=_at(as_of),
        )  # fmt: skip
        CohortFamily.objects.create(run=run, family_id="FAM1", household_id="H1", district="Northmoor", ward=ward,
                                    problems_met=problems, problem_count=problems.count(";") + 1,
                                    change=CohortFamily.Change.FIRST_RUN, team=north)  # fmt: skip
        runs[name] = run
    for name, started, statuses in (
        ("old_outcomes", dt.date(2016, 6, 1), {"crime": "not_achieved"}),
        ("outcomes", dt.date(2016, 9, 1), {"crime": "achieved", "education": "not_yet"}),
    ):
        outcome_run = OutcomeRun.objects.create(framework="tf-2015", framework_version=1, as_of_on=started,
                                                engine="duckdb", snapshot="", started_at=_at(started))  # fmt: skip
        for problem, status in statuses.items():
            OutcomeResult.objects.create(run=outcome_run, case=found, family_id="FAM1", household_id="H1",
                                         start_on=found.opened_on, problem=problem, measure=f"{problem}_measure",
                                         status=status)  # fmt: skip
        runs[name] = outcome_run
    claim_run = ClaimRun.objects.create(
        programme="tf-2015", window="2016-09", as_of_on=dt.date(2016, 9, 30), rules="tf-2015 v1", snapshot="",
        started_at=_at(dt.date(2016, 10, 1)),
    )  # fmt: skip
    runs["claims"] = claim_run
    for reference, state, changed, pence in (("old", "rejected", 1, 100), ("new", "submitted", 2, 400_000)):
        Claim.objects.create(run=claim_run, programme="tf-2015", window="2016-09", reference=reference, case=found,
                             family_id="FAM1", household_id="H1", results=["sustained_progress"], amount_pence=pence,
                             state=state, state_changed_at=_at(dt.date(2016, 10, changed)))  # fmt: skip
    return World(users, {"found": found, "referred": referred, "other": other}, runs)


def _rows(extract: Extract) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(bytes(extract.content).decode("utf-8"))))


def test_the_return_holds_every_family_of_the_programme_as_the_records_say(world: World) -> None:
    extract = build_extract(code=TF_2015, by=world.users["pm"])
    rows = _rows(extract)
    assert [row["family_reference"] for row in rows] == ["F-0001", "F-0002"]  # not the 2012 programme's family
    found, referred = rows
    # The identification the family was taken on from (dated before it came on), not the later run.
    assert found["identified_on"] == "2015-08-31" and found["headline_problems"] == "2"
    assert (found["problem_crime"], found["problem_education"], found["problem_work"]) == ("Y", "Y", "N")
    assert found["ward"] == '\'=HYPERLINK("http://evil")'  # shown by a spreadsheet, never run
    assert (found["adults"], found["children"]) == ("1", "1")  # the young person left before today
    assert found["key_worker_allocated"] == "Y" and found["plan_agreed_on"] == "2015-11-02"
    assert found["outcomes_measured_on"] == "2016-09-01"  # the newest outcomes run
    assert (found["outcome_crime"], found["outcome_education"], found["outcome_work"]) == ("achieved", "not_yet", "")
    assert found["family_outcome"] == "not_yet"
    assert (found["claim_state"], found["results_claimed"], found["claim_amount"]) == (
        "submitted", "sustained_progress", "4000.00"
    )  # fmt: skip
    # Referred, never found by a run: problems not known, never "N"; allocated before it closed.
    assert (
        referred["route_in"] == "referral" and referred["headline_problems"] == "" and referred["problem_crime"] == ""
    )
    assert referred["key_worker_allocated"] == "Y" and referred["closed_on"] == "2016-05-01"
    assert referred["closure_destination"] == "step_down_universal"
    assert (referred["adults"], referred["children"]) == ("1", "0")  # left on the day the case closed
    assert referred["claim_state"] == "" and referred["outcome_crime"] == ""
    assert extract.rows == 2 and extract.sha256 == hashlib.sha256(bytes(extract.content)).hexdigest()
    assert extract.built_from["identification_runs"] == [world.runs["before"].pk]
    assert extract.built_from["outcomes_runs"] == [world.runs["outcomes"].pk]
    assert extract.built_from["claim_runs"] == [world.runs["claims"].pk]
    assert [c["name"] for c in extract.columns][:3] == ["family_reference", "household_id", "route_in"]
    assert AuditEvent.objects.filter(action="extracts.build_extract", object_id=str(extract.pk)).count() == 1


def test_an_extract_is_kept_as_built(world: World) -> None:
    first = build_extract(code=TF_2015, by=world.users["analyst"])
    kept = bytes(first.content)
    case = world.cases["found"]
    case.stage, case.closed_on, case.closure_destination = "closed", dt.date(2016, 10, 3), "outcomes_achieved"
    case.save()
    second = build_extract(code=TF_2015, by=world.users["analyst"])
    first.refresh_from_db()
    assert bytes(first.content) == kept and second.sha256 != first.sha256
    assert _rows(second)[0]["closure_destination"] == "outcomes_achieved"


def test_only_programme_managers_analysts_and_administrators_build(world: World) -> None:
    for name in ("kw", "manager", "auditor", "commissioner"):
        with pytest.raises(PermissionDenied):
            build_extract(code=TF_2015, by=world.users[name])
    with pytest.raises(ExtractError, match="no extract called 'nonsense'"):
        build_extract(code="nonsense", by=world.users["pm"])


def test_the_pages_build_as_a_job_show_the_columns_and_download_audited(world: World, client: Any) -> None:
    client.force_login(world.users["pm"])
    assert client.get(reverse("extracts:extracts")).status_code == 200
    assert client.get(reverse("extracts:build_extract")).status_code == 200
    assert client.post(reverse("extracts:build_extract"), {"definition": "../../etc/passwd"}).status_code == 400
    response = client.post(reverse("extracts:build_extract"), {"definition": TF_2015})
    job = Job.objects.get(kind="build_extract")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    result = build_work(str(job.pk), TF_2015, world.users["pm"].pk, progress=_Progress())
    extract = Extract.objects.get()
    assert result["extract_id"] == extract.pk and extract.job_id == job.pk and result["families"] == 2
    page = client.get(reverse("extracts:extract", args=[extract.pk])).content.decode()
    assert "problem_domestic_abuse" in page and "Families affected by domestic violence and abuse" in page
    assert "Together for Families update (Cambridgeshire, 2014) s4.2" in page
    listing = client.get(reverse("extracts:extracts")).content.decode()
    assert reverse("extracts:extract", args=[extract.pk]) in listing
    client.force_login(world.users["auditor"])
    download = client.get(reverse("extracts:extract_csv", args=[extract.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert download.content == bytes(extract.content)
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="extracts.download_extract", actor=world.users["auditor"]).count() == 1
    assert client.get(reverse("extracts:build_extract")).status_code == 403  # an auditor reads, never builds
    assert client.get(reverse("extracts:extract", args=[extract.pk + 1000])).status_code == 404
    for name in ("kw", "manager", "commissioner"):
        client.force_login(world.users[name])
        assert client.get(reverse("extracts:extracts")).status_code == 403
        assert client.get(reverse("extracts:extract_csv", args=[extract.pk])).status_code == 403


def test_a_job_for_someone_who_may_not_build_fails_in_words(world: World) -> None:
    from wholefamily.jobs.services import JobError

    with pytest.raises(JobError, match="Only programme managers"):
        build_work(None, TF_2015, world.users["kw"].pk, progress=_Progress())
    with pytest.raises(JobError, match="no longer has an account"):
        build_work(None, TF_2015, 10_000_000, progress=_Progress())


class _Progress:
    def start(self, total: int | None, message: str = "") -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def set_message(self, message: str) -> None: ...
