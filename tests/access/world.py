"""A small county for the access matrix: two teams, each with a family, its member, plan, goal, budget line,
referral, cohort family, claim, linked person and job; county-wide runs and data sets; one user per role.

The registry `FILLERS` fills a URL's keyword arguments by name with the own team's or the other team's object.
A new URL whose keyword the registry cannot fill makes the matrix test fail, saying what to add here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from wholefamily.domain.pathway import MemberRole, Stage
from wholefamily.domain.reporting.quarters import last_complete_quarter
from wholefamily.domain.roles import Role

OWN, OTHER = "own", "other"

# Words that appear only in one side's personal data: a page showing them has shown a person's record.
CANARIES = {
    OWN: ("Northwick", "Ottoline", "F-NORTH", "H-NORTH", "P-NORTH"),
    OTHER: ("Southerby", "Barnaby", "F-SOUTH", "H-SOUTH", "P-SOUTH"),
}


@dataclass
class Side:
    """One team's objects."""

    team: Any
    manager: Any
    worker: Any
    case: Any
    member: Any
    goal: Any
    spend: Any
    referral: Any
    cohort_family: Any
    claim: Any
    person_id: str
    household_id: str
    job: Any
    profile: Any


@dataclass
class World:
    sides: dict[str, Side]
    users: dict[str, Any]  # role value (or "superuser") -> user
    identification_run: Any
    import_run: Any
    dataset_version: Any
    review_pair: tuple[str, str]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filler:
    """How to fill one URL keyword: the value for a side, and whether the object belongs to a team.

    `team_owned` objects differ between the own and the other side; county-wide ones (a run, a data set) do not,
    so a URL holding only county-wide keywords is walked for the own side only.
    """

    value: Callable[[World, str], Any]
    team_owned: bool = True


def _side(attribute: str) -> Callable[[World, str], Any]:
    def value(world: World, side: str) -> Any:
        obj: Any = world.sides[side]
        for part in attribute.split("."):
            obj = getattr(obj, part)
        return obj

    return value


def _county(value: Callable[[World], Any]) -> Filler:
    return Filler(lambda world, side: value(world), team_owned=False)


# Looked up as "namespace:url_name:kwarg", then "namespace:kwarg", then "kwarg".
FILLERS: dict[str, Filler] = {
    "cases:pk": Filler(_side("case.pk")),
    "cases:section": _county(lambda world: "chronology"),  # the family page's section that shows agency records
    "cases:referral:pk": Filler(_side("referral.pk")),
    "cases:member_pk": Filler(_side("member.pk")),
    "cases:goal_pk": Filler(_side("goal.pk")),
    "cases:line_pk": Filler(_side("spend.pk")),
    "cases:run_id": _county(lambda world: world.identification_run.pk),
    "cases:family_id": Filler(_side("cohort_family.family_id")),
    "outcomes:pk": Filler(_side("case.pk")),
    "claims:pk": Filler(_side("claim.pk")),
    "reporting:case_audit:pk": Filler(_side("case.pk")),  # the family's case file, behind the case door
    "reporting:feedback_new:pk": Filler(_side("case.pk")),  # the family's case, behind the case door
    # No link is made in the matrix's county: every token is unknown, and the public page answers 404 to all.
    "reporting:token": _county(lambda world: "not-a-link"),
    "impact:pk": _county(lambda world: world.extra["unit_cost_set_id"]),  # county-wide unit costs (ADR 0029)
    "reporting:pk": _county(lambda world: world.extra["board_pack_id"]),  # county-wide figures, no personal record
    "extracts:pk": _county(lambda world: world.extra["extract_id"]),  # county-wide, pseudonymous (ADR 0035)
    # Commissioning (ADR 0027): the catalogue's services are county-wide; a family's referrals to them are its case's.
    "commissioning:service_detail:pk": _county(lambda world: world.extra["service_id"]),
    "commissioning:service_change:pk": _county(lambda world: world.extra["service_id"]),
    "commissioning:family_referrals:pk": Filler(_side("case.pk")),
    "commissioning:refer:pk": Filler(_side("case.pk")),
    "commissioning:goal_pk": Filler(_side("goal.pk")),
    "commissioning:referral:pk": Filler(lambda world, side: world.extra["service_referrals"][side]),
    # The matrix's contract: its provider user is the matrix's provider, so the provider's pages answer with it.
    "commissioning:contract_detail:pk": _county(lambda world: world.extra["contract_id"]),
    "commissioning:quarterly_return:pk": _county(lambda world: world.extra["contract_id"]),
    "commissioning:quarter": _county(lambda world: last_complete_quarter(timezone.localdate()).code),
    "commissioning:version": _county(lambda world: 1),  # the matrix's market position statement
    "governance:team_detail:pk": Filler(_side("team.pk")),
    "governance:team_change:pk": Filler(_side("team.pk")),
    "governance:pk": Filler(_side("profile.pk")),  # the staff pages: a colleague's profile, never a matrix actor's
    "governance:approval_detail:pk": _county(lambda world: world.extra["approval_id"]),
    "governance:agreement_detail:pk": _county(lambda world: world.extra["agreement_id"]),
    # An approved re-identification of the own side's person, asked for by the matrix's data analyst (ADR 0020).
    "governance:reidentification_result:pk": _county(lambda world: world.extra["reidentification_id"]),
    "linkage:run_id": _county(lambda world: "run-matrix"),
    "identification:run_id": _county(lambda world: world.identification_run.pk),
    "identification:family_id": Filler(_side("cohort_family.family_id")),
    "jobs:job_id": Filler(_side("job.pk")),
    "ingest:run_id": _county(lambda world: world.import_run.pk),
    "ingest:version_id": _county(lambda world: world.dataset_version.version_id),
    "linkage:person_id": Filler(_side("person_id")),
    "linkage:profile_id_l": _county(lambda world: world.review_pair[0]),
    "linkage:profile_id_r": _county(lambda world: world.review_pair[1]),
    # Django's admin: only superusers get past its door, so any object will do.
    "api_pages:pk": _county(lambda world: world.extra["api_token_id"]),  # an administrator's API token
    "admin:object_id": _county(lambda world: world.sides[OWN].team.pk),
    "admin:pk": _county(lambda world: world.sides[OWN].team.pk),
    "admin:id": _county(lambda world: world.users["superuser"].pk),
    "admin:content_type_id": _county(lambda world: world.extra["team_content_type_id"]),
    "admin:app_label": _county(lambda world: "governance"),
    "admin:url": _county(lambda world: "no-such-page/"),
}


def filler_for(namespace: str, name: str | None, kwarg: str) -> Filler | None:
    for key in (f"{namespace}:{name}:{kwarg}", f"{namespace}:{kwarg}", kwarg):
        if key in FILLERS:
            return FILLERS[key]
    return None


def _user(username: str, *roles: Role, team: Any = None, **extra: Any) -> Any:
    from wholefamily.governance.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=None, **extra)  # signed in by force_login
    user.groups.set([Group.objects.get_or_create(name=role.value)[0] for role in roles])
    StaffProfile.objects.create(user=user, team=team, job_title="Test")
    return user


def _build_side(
    name: str, district: str, surname: str, forename: str, run: Any, claim_run: Any, linkage_run: Any
) -> Side:
    from wholefamily.cases import services
    from wholefamily.cases.models import BudgetLine, Goal, Member
    from wholefamily.claims.models import Claim
    from wholefamily.governance.models import Team
    from wholefamily.identification.models import CohortFamily
    from wholefamily.jobs.models import Job
    from wholefamily.linkage.models import Household, Membership, Person

    today = timezone.localdate()
    team = Team.objects.create(name=f"{district} Families Team", district=district)
    manager = _user(f"{name}.manager", Role.TEAM_MANAGER, team=team)
    worker = _user(f"{name}.worker", Role.KEY_WORKER, team=team)
    household_id = f"H-{name.upper()}"
    person_id = f"P-{name.upper()}"
    person = Person.objects.create(
        person_id=person_id, forename=forename, surname=surname, date_of_birth=date(1985, 4, 2), last_run=linkage_run
    )
    household = Household.objects.create(household_id=household_id, postcode="ZZ1 1ZZ", last_run=linkage_run)
    Membership.objects.create(person=person, household=household, role=Membership.Role.ADULT_PARENT)
    case = services.open_case_from_cohort(
        team=team,
        household_id=household_id,
        family_name=f"the {surname} family",
        members=[
            services.MemberDetails(f"{forename} {surname}", MemberRole.PARENTING_ADULT, person_id, date(1985, 4, 2))
        ],
        evidence_summary="Two headline problems.",
        by=manager,
    )
    for stage in (Stage.INFORMATION_GATHERING, Stage.AWAITING_ALLOCATION):
        case = services.move_case(case=case, to=stage, by=manager)
    services.allocate_case(case=case, worker=worker, by=manager)
    case.refresh_from_db()
    from wholefamily.cases.tests.builders import all_scores

    services.record_assessment(case=case, assessed_on=today, summary="S", scores=all_scores(), by=worker)
    plan = services.agree_plan(case=case, aims="Children in school", agreed_on=today, by=worker)
    member = Member.objects.get(case=case)
    goal = services.add_goal(
        plan=plan,
        expected_version=plan.version,
        member=member,
        description="School every day",
        actions="Walk to school",
        agency="School",
        due_on=today,
        by=worker,
    )
    assert isinstance(goal, Goal)
    services.add_budget_funds(case=case, amount_pence=10_000, description="Funds", entered_on=today, by=manager)
    spend = services.request_budget_spend(
        case=case, amount_pence=1_000, description="Bus pass", entered_on=today, by=worker
    )
    assert isinstance(spend, BudgetLine)
    from wholefamily.domain.pathway import ReferralSource

    referral = services.record_referral(
        team=team,
        source=ReferralSource.EARLY_HELP_CAF,
        referrer="A school",
        received_on=today,
        family_name=f"the {surname} family (referred)",
        reason=f"Worried about {forename} {surname}",
        by=manager,
    )
    cohort_family = CohortFamily.objects.create(
        run=run,
        family_id=f"F-{name.upper()}",
        household_id=household_id,
        district=district,
        ward="Ward",
        problems_met="education",
        problem_count=1,
        change=CohortFamily.Change.FIRST_RUN,
        team=team,
    )
    claim = Claim.objects.create(
        run=claim_run,
        programme="tf-2012",
        window="2015-01",
        reference=f"tf-2012/2015-01/F-{name.upper()}",
        case=case,
        family_id=cohort_family.family_id,
        household_id=household_id,
        evidence={"family_name": f"the {surname} family"},
        state_changed_at=timezone.now(),
    )
    job = Job.objects.create(kind="check_data_store", title="Check the data store", created_by=worker, team=team)
    # The staff pages change the account they name (deactivate, reset a password): a colleague, not an actor.
    colleague = _user(f"{name}.colleague", Role.KEY_WORKER, team=team)
    return Side(
        team=team,
        manager=manager,
        worker=worker,
        case=case,
        member=member,
        goal=goal,
        spend=spend,
        referral=referral,
        cohort_family=cohort_family,
        claim=claim,
        person_id=person_id,
        household_id=household_id,
        job=job,
        profile=colleague.staff_profile,
    )


def build_world(data_dir: Path) -> World:
    from django.contrib.contenttypes.models import ContentType

    from wholefamily.claims.models import ClaimRun
    from wholefamily.governance.models import Team
    from wholefamily.identification.models import IdentificationRun
    from wholefamily.ingest.models import DatasetVersion, ImportRun
    from wholefamily.linkage.models import LinkageRun

    now = timezone.now()
    linkage_run = LinkageRun.objects.create(
        run_id="run-matrix", status=LinkageRun.Status.SUCCEEDED, settings_version="v3", started_at=now, is_current=True
    )
    review_pair = ("R-NORTH-L", "R-NORTH-R")
    (data_dir / "linkage" / "run-matrix").mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "profile_id_l": review_pair[0],
                    "profile_id_r": review_pair[1],
                    "match_probability": 0.5,
                    "match_weight": 0.0,
                    "forename_l": CANARIES[OWN][1],
                    "forename_r": CANARIES[OWN][1],
                    "surname_l": CANARIES[OWN][0],
                    "surname_r": CANARIES[OWN][0],
                }
            ]
        ),
        data_dir / "linkage" / "run-matrix" / "review_pairs.parquet",
    )
    run = IdentificationRun.objects.create(
        programme="tf-2012",
        programme_version=1,
        programme_title="Troubled Families 2012",
        as_of_on=date(2015, 8, 31),
        snapshot=str(data_dir),
        status=IdentificationRun.Status.SUCCEEDED,
        started_at=now,
        finished_at=now,
    )
    claim_run = ClaimRun.objects.create(
        programme="tf-2012",
        window="2015-01",
        as_of_on=date(2015, 8, 31),
        rules="tf-2012 v1",
        snapshot="",
        started_at=now,
    )
    version = DatasetVersion.objects.create(
        version_id="police-matrix",
        kind="police",
        contract_version=1,
        profile="standard",
        received_on=date(2015, 8, 31),
        policy="reject",
        rows_read=1,
        rows_accepted=1,
        sha256="0" * 64,
        file_name="police.csv",
        file_size=1,
        imported_at=now,
    )
    import_run = ImportRun.objects.create(
        id=uuid.uuid4(), kind="police", profile="standard", received_on=date(2015, 8, 31), file_name="police.csv"
    )
    sides = {
        OWN: _build_side("north", "Northmoor", *CANARIES[OWN][:2], run, claim_run, linkage_run),
        OTHER: _build_side("south", "Southvale", *CANARIES[OTHER][:2], run, claim_run, linkage_run),
    }
    own_team = sides[OWN].team
    users: dict[str, Any] = {
        Role.KEY_WORKER.value: sides[OWN].worker,
        Role.TEAM_MANAGER.value: sides[OWN].manager,
    }
    for role in Role:
        if role.value not in users:
            # An administrator has staff status, as the demo gives it: the admin's door must still refuse them.
            users[role.value] = _user(f"matrix.{role.value}", role, team=own_team, is_staff=role is Role.ADMINISTRATOR)
    users["superuser"] = get_user_model().objects.create_superuser(
        username="matrix.superuser", password=None, email="root@example.org"
    )
    from wholefamily.governance.models import Approval

    approval = Approval.objects.create(
        kind="claim_submission",
        subject="tf-2012/2015-01",
        fingerprint="0" * 64,
        reason="Submission for the window",
        requested_by=users[Role.PROGRAMME_MANAGER.value],
    )
    from wholefamily.domain.pseudonyms import person_pseudonym
    from wholefamily.governance import pseudonyms
    from wholefamily.governance.models import DataSharingAgreement

    listed = [person_pseudonym(sides[OWN].person_id, key=pseudonyms.key())]
    reidentification = pseudonyms.request_reidentification(
        listed=listed, reason="Evaluation interviews", by=users[Role.DATA_ANALYST.value]
    )
    Approval.objects.filter(pk=reidentification.pk).update(
        state=Approval.State.APPROVED, decided_by=users[Role.PROGRAMME_MANAGER.value], decided_at=timezone.now()
    )
    agreement = DataSharingAgreement.objects.order_by("pk").first() or DataSharingAgreement.objects.create(
        reference="MATRIX-DSA", name="Matrix agreement", partner="Police", start_on=date(2000, 1, 1), kinds=["police"]
    )
    from wholefamily.reporting.models import BoardPack

    board_pack = BoardPack.objects.create(
        quarter="2015-16-q1", version=1, built_at=now, built_by=users[Role.PROGRAMME_MANAGER.value],
        council="Matrix County Council", figures={"sections": []}, pdf=b"%PDF-1.4", pdf_sha256="0" * 64,
        xlsx=b"PK", xlsx_sha256="0" * 64, small_numbers="fewer than 5 (v1)",
    )  # fmt: skip
    # A family-level return to government (ADR 0035): county-wide, pseudonymous, naming both sides' families.
    from wholefamily.extracts.models import Extract

    extract = Extract.objects.create(
        definition="tf-2015-family-progress", definition_version=1, title="Matrix return", programme="tf-2015",
        built_at=now, built_by=users[Role.PROGRAMME_MANAGER.value], rows=2,
        columns=[{"name": "family_reference", "description": "The family's case reference"}],
        content=f"family_reference\r\n{CANARIES[OWN][2]}\r\n{CANARIES[OTHER][2]}\r\n".encode(), sha256="0" * 64,
    )  # fmt: skip
    # County-wide aggregates (ADR 0023, ADR 0024): a stored impact analysis and savings run, so that /impact/,
    # /impact/savings/ and its two exports answer with figures rather than their empty state.
    from wholefamily.impact.models import ImpactEffect, ImpactRun, SavingsRun

    impact_run = ImpactRun.objects.create(
        outcomes_definition="impact-outcomes@1", snapshot=str(data_dir), worked_with=2, pool=2, matched=2,
        comparison_used=2, started_at=timezone.now(), trends={"offending": [[-1, 0.5, 0.5], [1, 0.0, 0.5]]},
        balance=[{"feature": "members", "before": 0.1, "after": 0.0}],
    )  # fmt: skip
    ImpactEffect.objects.create(
        run=impact_run, outcome="offending", label="Offence recorded", estimate=-0.5, low=-1.0, high=0.0,
        p_value=0.05, treated_before=0.5, treated_after=0.0, comparison_before=0.5, comparison_after=0.5,
        pre_trend=0.0, pre_trend_low=0.0, pre_trend_high=0.0,
    )  # fmt: skip
    SavingsRun.objects.create(
        unit_costs="starter-unit-costs@1", price_base_year=2024, snapshot=str(data_dir), families=2,
        total_before=2000, total_after=1000, by_type={"fiscal": 1000, "economic": 0, "social": 0},
        by_agency=[{"agency": "Police", "cost_before": 2000, "cost_after": 1000, "saving": 1000}],
        programme_cost=500, started_at=timezone.now(),
    )  # fmt: skip
    # A council's own unit costs (ADR 0029): county-wide figures, no personal record.
    from wholefamily.impact.models import UnitCostSet

    unit_cost_set = UnitCostSet.objects.create(
        name="matrix-costs", version=1, price_base_year=2024, sha256="0" * 64, imported_at=timezone.now(),
        definition={"costs": [], "deflator": {"index": {"2024": 100}}},
    )  # fmt: skip
    # A catalogue service and, for each side's family, a referral to it from the side's goal (ADR 0027).
    from decimal import Decimal

    from wholefamily.commissioning.models import Service, ServiceReferral

    service = Service.objects.create(
        name="Matrix family support", provider="Matrix provider", delivery="commissioned", target_needs=["crime"],
        tier="tier_3", districts=["Northmoor", "Southvale"], capacity=10, capacity_unit="places",
        unit_cost=Decimal("100.00"), evidence_rating="local", starts_on=date(2000, 1, 1), updated_at=now,
    )  # fmt: skip
    service_referrals = {
        name: ServiceReferral.objects.create(
            service=service, goal=side.goal, case=side.case, state="referred", referred_on=timezone.localdate(),
            created_by=side.worker, updated_at=now,
        ).pk
        for name, side in sides.items()
    }  # fmt: skip
    from wholefamily.commissioning.models import Contract

    contract = Contract.objects.create(
        service=service, reference="MATRIX-1", starts_on=date(2000, 1, 1), ends_on=date(2100, 1, 1), value=Decimal(1),
        indicators=["referrals", "hours_of_service"], created_at=now, created_by=users[Role.COMMISSIONER.value],
    )  # fmt: skip
    contract.provider_users.set([users[Role.PROVIDER.value]])
    from wholefamily.commissioning.models import MarketPositionStatement

    MarketPositionStatement.objects.create(
        version=1, title="Matrix market", dated_on=date(2026, 1, 5), summary="S", intentions="I", created_at=now,
        created_by=users[Role.COMMISSIONER.value],
        figures={"need": {"head": ["District", "Identified families"], "body": [["Northmoor", "fewer than 5"]]}},
    )  # fmt: skip
    from datetime import timedelta

    from wholefamily.api import tokens

    # An API token of the administrator's: the token pages' revoke button is for its owner or an administrator.
    api_token, _ = tokens.make_token(
        user=users[Role.ADMINISTRATOR.value],
        name="Matrix case system",
        scopes=["cases:read"],
        expires_at=now + timedelta(days=30),
        by=users[Role.ADMINISTRATOR.value],
    )
    return World(
        sides=sides,
        users=users,
        identification_run=run,
        import_run=import_run,
        dataset_version=version,
        review_pair=review_pair,
        extra={
            "team_content_type_id": ContentType.objects.get_for_model(Team).pk,
            "approval_id": approval.pk,
            "agreement_id": agreement.pk,
            "reidentification_id": reidentification.pk,
            "board_pack_id": board_pack.pk,
            "extract_id": extract.pk,
            "unit_cost_set_id": unit_cost_set.pk,
            "service_id": service.pk,
            "service_referrals": service_referrals,
            "contract_id": contract.pk,
            "api_token_id": api_token.pk,
        },
    )


def _date(name: str) -> dict[str, str]:
    """A GOV.UK date input's three boxes, filled with today."""
    today = timezone.localdate()
    return {f"{name}_day": str(today.day), f"{name}_month": str(today.month), f"{name}_year": str(today.year)}


def _member_change(world: World, side: str) -> dict[str, Any]:
    member = type(world.sides[side].member).objects.get(pk=world.sides[side].member.pk)  # its version now
    return {"version": member.version, "display_name": member.display_name, "role": member.role,
            "reason": "Spelling of the name"}  # fmt: skip


def _reidentification(world: World, side: str) -> dict[str, Any]:
    from wholefamily.domain.pseudonyms import person_pseudonym
    from wholefamily.governance import pseudonyms

    return {"pseudonyms": person_pseudonym(world.sides[OWN].person_id, key=pseudonyms.key()),
            "reason": "Interviews for the evaluation"}  # fmt: skip


# Valid forms for the main POST pages: the matrix posts these (as each actor, own and other side) rather than an
# empty form, so an allowed actor's POST is a real change (302) and a refused one is refused with a real form.
# Each is safe to repeat (a later actor's POST finds the page as the earlier one left it).
VALID_POSTS: dict[str, Callable[[World, str], dict[str, Any]]] = {
    "cases:taf_meeting": lambda world, side: {**_date("held_on"), "attendees": "Jo Able, School", "notes": ""},
    "cases:notice": lambda world, side: {**_date("issued_on"), "method": "In person at a home visit"},
    "cases:consent": lambda world, side: {
        **_date("recorded_on"),
        "member": world.sides[side].member.pk,
        "purpose": "Sharing information with health",
        "status": "given",
    },
    "cases:change_member": _member_change,
    "governance:reidentification": _reidentification,
}
