"""Fixtures for case tests: two teams with a manager and key workers each, and families at each stage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from wholefamily.cases.tests.builders import TODAY, all_scores
from wholefamily.domain.pathway import MemberRole, Stage
from wholefamily.domain.roles import Role


@pytest.fixture
def north(make_team: Callable[..., Any]) -> Any:
    return make_team("Northmoor Family Support", district="Northmoor")


@pytest.fixture
def south(make_team: Callable[..., Any]) -> Any:
    return make_team("Southvale Family Support", district="Southvale")


@pytest.fixture
def manager(make_staff: Callable[..., Any], north: Any) -> Any:
    return make_staff("maria.manager", Role.TEAM_MANAGER, team=north, first_name="Maria", last_name="Manager")


@pytest.fixture
def worker(make_staff: Callable[..., Any], north: Any) -> Any:
    return make_staff("kim.worker", Role.KEY_WORKER, team=north, first_name="Kim", last_name="Worker")


@pytest.fixture
def colleague(make_staff: Callable[..., Any], north: Any) -> Any:
    return make_staff("lee.colleague", Role.KEY_WORKER, team=north, first_name="Lee", last_name="Colleague")


@pytest.fixture
def outsider(make_staff: Callable[..., Any], south: Any) -> Any:
    """A team manager (and key worker) of another team."""
    return make_staff("sam.south", Role.TEAM_MANAGER, Role.KEY_WORKER, team=south)


@pytest.fixture
def new_family(manager: Any, north: Any) -> Callable[..., Any]:
    """Open a cohort family for the north team and walk it to `stage` (manager's actions, worker allocated)."""
    from wholefamily.cases import services

    def make(
        stage: Stage = Stage.AWAITING_ALLOCATION,
        *,
        worker: Any = None,
        name: str = "the Test family",
        household: str = "",
    ) -> Any:
        case = services.open_case_from_cohort(
            team=north,
            household_id=household,
            family_name=name,
            members=[
                services.MemberDetails("Pat Test", MemberRole.PARENTING_ADULT, "P-1", date(1985, 4, 2)),
                services.MemberDetails("Jo Test", MemberRole.CHILD, "P-2", date(2014, 9, 1)),
            ],
            evidence_summary="Two headline problems: education and crime.",
            by=manager,
        )
        path = [Stage.INFORMATION_GATHERING, Stage.AWAITING_ALLOCATION]
        for step in path:
            if case.stage_enum is stage:
                return case
            case = services.move_case(case=case, to=step, by=manager)
        if stage is Stage.AWAITING_ALLOCATION:
            return case
        assert worker is not None, "allocating needs a worker"
        services.allocate_case(case=case, worker=worker, by=manager)
        case.refresh_from_db()
        if stage is Stage.ALLOCATED:
            return case
        services.record_assessment(case=case, assessed_on=TODAY, summary="S", scores=all_scores(), by=worker)
        case.refresh_from_db()
        if stage is Stage.ASSESSMENT:
            return case
        services.agree_plan(case=case, aims="Children in school every day", agreed_on=TODAY, by=worker)
        case.refresh_from_db()
        assert case.stage_enum is Stage.PLAN_ACTIVE
        return case

    return make


IDENTIFIED_ON = date(2024, 8, 31)
HOUSEHOLD = "HPASTDATES1"


@pytest.fixture
def identified(north: Any) -> Any:
    """A household of three (one moved out in March 2025) that an identification run found as of 31 August 2024."""
    from wholefamily.identification.models import CohortFamily, IdentificationRun
    from wholefamily.linkage.models import Household, LinkageRun, Membership, Person

    linkage_run = LinkageRun.objects.create(run_id="L1", status="succeeded", settings_version="1",
                                            started_at=timezone.now())  # fmt: skip
    household = Household.objects.create(household_id=HOUSEHOLD, last_run=linkage_run)
    people = [
        ("PAST0000001", "Dana", "Brook", date(1984, 5, 1), Membership.Role.ADULT_PARENT, date(2019, 1, 1), None),
        ("PAST0000002", "Eli", "Brook", date(2012, 7, 9), Membership.Role.CHILD, date(2019, 1, 1), None),
        ("PAST0000003", "Finn", "Stone", date(1980, 1, 1), Membership.Role.OTHER_ADULT, date(2019, 1, 1),
         date(2025, 3, 14)),
        ("PAST0000004", "Gus", "Brook", date(2025, 6, 1), Membership.Role.CHILD, date(2025, 6, 1), None),
    ]  # fmt: skip
    for person_id, forename, surname, born, role, start_on, end_on in people:
        person = Person.objects.create(person_id=person_id, forename=forename, surname=surname,
                                       date_of_birth=born, last_run=linkage_run)  # fmt: skip
        Membership.objects.create(person=person, household=household, role=role, start_on=start_on, end_on=end_on)
    run = IdentificationRun.objects.create(
        programme="supporting-families-2022",
        programme_version=1,
        programme_title="Supporting Families",
        as_of_on=IDENTIFIED_ON,
        snapshot="x",
        status=IdentificationRun.Status.SUCCEEDED,
        started_at=timezone.now(),
    )
    CohortFamily.objects.create(run=run, family_id="FAM-1", household_id=HOUSEHOLD, district="Northmoor",
                                problems_met="education;crime", problem_count=2, indicators_met=["a"],
                                change=CohortFamily.Change.NEW, team=north)  # fmt: skip
    return run
