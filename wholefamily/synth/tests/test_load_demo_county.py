"""`wholefamily load_demo_county` on a small county: teams per district with their staff, a dataset version per agency
file, one linkage run, Supporting Families identified as of each 31 August, the history (ADR 0011: families opened,
worked and closed on past days, distance travelled at several time points, outcomes measured, a claim window
computed), today's cases for the demo users; a second run creates nothing."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from wholefamily.cases.models import Case, CaseEvent, DistrictEstimate, Goal, Review
from wholefamily.cases.services import first_identified_on
from wholefamily.claims.models import Claim, ClaimRun
from wholefamily.commissioning.demo import EXAMPLES
from wholefamily.commissioning.models import (
    Contract,
    MarketPositionStatement,
    QuarterlyReturn,
    Service,
    ServiceReferral,
)
from wholefamily.domain.claims.states import ClaimState
from wholefamily.domain.pathway import EventCode, Stage
from wholefamily.governance.management.commands.setup_demo import county_districts, team_name
from wholefamily.governance.models import AuditEvent, StaffProfile, Team
from wholefamily.identification.models import IdentificationRun
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.linkage.models import LinkageRun, Person
from wholefamily.outcomes.models import DistanceAssessment, OutcomeRun
from wholefamily.synth.management.commands.load_demo_county import county_dir, has_rows

POPULATION, SEED = 3_000, 7  # small, yet every stage of the history has families

COUNTED = (Team, DatasetVersion, ImportRun, LinkageRun, Person, IdentificationRun, Case, CaseEvent, AuditEvent, Claim,
           ClaimRun, OutcomeRun, DistanceAssessment, Service, ServiceReferral, Contract, QuarterlyReturn,
           MarketPositionStatement)  # fmt: skip


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo_county", "--population", str(POPULATION), "--seed", str(SEED), "--families-per-intake", "4",
                 stdout=out)  # fmt: skip
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the linkage names its current run once its transaction commits
def test_loads_the_county_end_to_end_and_a_second_run_creates_nothing(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    printed = _load()

    districts = county_districts()
    assert list(Team.objects.order_by("name").values_list("district", "name")) == sorted(
        (district, team_name(district)) for district in districts
    )
    first = Team.objects.get(district=districts[0])
    for username in ("keyworker", "keyworker2", "manager"):
        assert StaffProfile.objects.get(user__username=username).team == first

    folder = county_dir(POPULATION, SEED)
    manifest = json.loads((folder / "manifest.json").read_text())
    person_kinds = sorted(path.stem for path in (folder / "agency").glob("*.csv") if has_rows(path))
    assert len(person_kinds) >= 15
    # area statistics are imported for the needs analysis's rates, and never linked
    assert sorted(DatasetVersion.objects.values_list("kind", flat=True)) == sorted([*person_kinds, "area_statistics"])
    rows = manifest["agency_rows"] | manifest["area_rows"]
    assert sum(DatasetVersion.objects.values_list("rows_accepted", flat=True)) == sum(rows.values())

    linkage = LinkageRun.objects.get()
    assert sorted(item["kind"] for item in linkage.dataset_versions) == person_kinds
    assert linkage.is_current and linkage.status == LinkageRun.Status.SUCCEEDED
    assert (settings.DATA_DIR / "linkage" / "CURRENT").read_text().strip() == linkage.run_id
    assert Person.objects.count() == linkage.figures["persons"] > 1_000

    runs = IdentificationRun.objects.order_by("as_of_on")
    assert [(run.programme, run.as_of_on.isoformat(), run.status) for run in runs] == [
        ("supporting-families-2022", f"{year}-08-31", IdentificationRun.Status.SUCCEEDED) for year in range(2022, 2027)
    ]
    assert manifest["reference_on"] == "2022-08-31" and manifest["history"]["last_day"] == "2026-08-31"
    latest = runs.last()
    assert latest is not None and latest.families_qualifying > 0
    assert not latest.families.filter(district="").exists()  # districts from the postcode lookup

    today = timezone.localdate()
    history = Case.objects.filter(opened_on__lt=today)
    assert history.exists() and not Case.objects.filter(opened_on__gt=today).exists()
    for case in history:
        identified_on = first_identified_on(case.household_id)
        assert identified_on is not None and identified_on <= case.opened_on  # never before it was identified
        days = [timezone.localtime(event.occurred_at).date() for event in case.events.order_by("occurred_at", "id")]
        assert days == sorted(days) and days[0] == case.opened_on and days[-1] <= today
    closed = history.filter(stage=Stage.CLOSED)
    assert closed.count() >= 3 and all(case.closed_on and case.closed_on <= today for case in closed)
    points = Counter(DistanceAssessment.objects.values_list("case_id", flat=True))
    assert sum(1 for count in points.values() if count >= 2) >= 3  # baseline and reviews
    assert Review.objects.filter(case__in=history).exists()
    assert (
        OutcomeRun.objects.get().families == Case.objects.exclude(household_id="").filter(opened_on__lt=today).count()
    )
    claim_run = ClaimRun.objects.get()
    assert claim_run.as_of_on <= date(2026, 8, 31)
    claims = Claim.objects.filter(run=claim_run)
    states = Counter(claims.values_list("state", flat=True))
    # A county this small has a claim or two (the 50,000-resident demo has 24 of 127 families): the first is
    # validated by the auditor, a second rejected with a reason.
    assert claims.exists() and states[ClaimState.VALIDATED] == 1
    assert all(claim.evidence.get("results") and claim.case_id for claim in claims)
    if claims.count() >= 2:
        assert states[ClaimState.REJECTED] == 1 and claims.filter(is_sampled=True).exists()
    # Plans have dated goals, achieved wholly, partly or not at all, so the plan results have a trend; every district
    # has an estimate, so the progress table's remaining is not empty.
    goals = Goal.objects.filter(plan__case__in=history)
    assert goals.exists() and goals.filter(is_achieved=True).exists()
    added = {e.detail["goal_id"]: timezone.localtime(e.occurred_at).date()
             for e in CaseEvent.objects.filter(code=EventCode.GOAL_ADDED)}  # fmt: skip
    assert all(added[goal.pk] == goal.plan.agreed_on for goal in goals.select_related("plan"))
    finished = [case for case in closed if case.plan_agreed_on and case.closure_destination != "disengaged"]
    met = Counter(sum(g.is_achieved for g in Goal.objects.filter(plan__case=case)) for case in finished)
    assert met[3] > 0 and (met[0] + met[1] + met[2]) > 0  # wholly, and partly or not
    estimates = dict(DistrictEstimate.objects.values_list("district", "families_estimated"))
    assert set(estimates) == set(districts) and all(value > 0 for value in estimates.values())
    worker_roles = {"keyworker", "keyworker2", "keyworker3", "keyworker4", "manager"}
    assert set(StaffProfile.objects.filter(team=first).values_list("user__username", flat=True)) == worker_roles
    assert StaffProfile.objects.filter(team__district=districts[1], user__username__endswith=".manager").exists()

    cases = Case.objects.filter(team=first, opened_on=today)
    worker = get_user_model().objects.get(username="keyworker")
    if cases.exists():
        with_plan = cases.filter(key_worker=worker, stage=Stage.PLAN_ACTIVE)
        assert all(case.assessments.exists() and case.members.exists() for case in with_plan)
    assert AuditEvent.objects.filter(actor_label="system:load_demo_county", action="load_demo_county").count() == 1
    assert f"residents {manifest['residents_at_reference']:,}" in printed
    # The catalogue's examples, marked as such; an example contract for the demo provider with a late return.
    assert Service.objects.filter(is_example=True).count() == len(EXAMPLES) == Service.objects.count()
    contract = Contract.objects.get()
    assert list(contract.provider_users.values_list("username", flat=True)) == ["provider"]
    assert QuarterlyReturn.objects.filter(contract=contract).count() == 1
    assert MarketPositionStatement.objects.get().figures["provision"]["body"]

    before = _counts()
    again = _load()
    assert _counts() == before
    assert "nothing new" in again


def test_a_file_with_only_its_header_is_not_imported(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("person_id,start_date\n\n", encoding="utf-8")
    (tmp_path / "one.csv").write_text("person_id,start_date\nP1,2015-01-01\n", encoding="utf-8")
    assert not has_rows(tmp_path / "empty.csv")
    assert has_rows(tmp_path / "one.csv")


@pytest.mark.django_db
def test_refused_in_production(settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never loaded in production"):
        call_command("load_demo_county", "--population", "200")
