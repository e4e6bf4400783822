"""A county of two teams for the commissioning tests: families with a plan and a goal, a catalogue, an
identification run's cohort."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from wholefamily.domain.pathway import MemberRole, Stage
from wholefamily.domain.roles import Role

TODAY = timezone.localdate()


@pytest.fixture
def north(make_team: Callable[..., Any]) -> Any:
    return make_team("North Families Team", "Northmoor")


@pytest.fixture
def south(make_team: Callable[..., Any]) -> Any:
    return make_team("South Families Team", "Southvale")


@pytest.fixture
def staff(make_staff: Callable[..., Any], north: Any, south: Any) -> dict[str, Any]:
    return {
        "manager": make_staff("morgan.manager", Role.TEAM_MANAGER, team=north),
        "worker": make_staff("kim.worker", Role.KEY_WORKER, team=north),
        "south_worker": make_staff("sam.south", Role.KEY_WORKER, team=south),
        "south_manager": make_staff("sue.south", Role.TEAM_MANAGER, team=south),
        "commissioner": make_staff("chris.commissioner", Role.COMMISSIONER),
        "programme": make_staff("priya.programme", Role.PROGRAMME_MANAGER),
    }


@pytest.fixture
def family_with_goal(staff: dict[str, Any], north: Any, south: Any) -> Callable[..., Any]:
    """A family of the north (or south) team with an agreed plan and one goal; returns the goal."""
    from wholefamily.cases import services
    from wholefamily.cases.models import Goal, Member
    from wholefamily.cases.tests.builders import all_scores

    def make(name: str = "the Ashworth family", *, household: str = "", side: str = "north") -> Goal:
        team = north if side == "north" else south
        manager = staff["manager"] if side == "north" else staff["south_manager"]
        worker = staff["worker"] if side == "north" else staff["south_worker"]
        case = services.open_case_from_cohort(
            team=team, household_id=household, family_name=name,
            members=[services.MemberDetails("Pat Ashworth", MemberRole.PARENTING_ADULT, "", dt.date(1985, 4, 2))],
            evidence_summary="Three headline problems.", by=manager,
        )  # fmt: skip
        for stage in (Stage.INFORMATION_GATHERING, Stage.AWAITING_ALLOCATION):
            case = services.move_case(case=case, to=stage, by=manager)
        services.allocate_case(case=case, worker=worker, by=manager)
        case.refresh_from_db()
        services.record_assessment(case=case, assessed_on=TODAY, summary="S", scores=all_scores(), by=worker)
        plan = services.agree_plan(case=case, aims="A calmer home", agreed_on=TODAY, by=worker)
        goal = services.add_goal(
            plan=plan, expected_version=plan.version, member=Member.objects.filter(case=case).first(),
            description="Fewer arguments at home", actions="Parenting group", agency="Early help", due_on=TODAY,
            by=worker,
        )  # fmt: skip
        assert isinstance(goal, Goal)
        return goal

    return make


def service_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Family intervention project", "provider": "County family support", "delivery": "in_house",
        "description": "", "target_needs": ["crime", "education"], "tier": "tier_3", "min_age": 0, "max_age": 17,
        "districts": ["Northmoor", "Southvale"], "capacity": 10, "capacity_unit": "places", "hours_per_family": None,
        "unit_cost": Decimal("1150.00"), "evidence_rating": "promising", "evidence_source": "A pilot evaluation",
        "provides_key_worker": True, "contract_reference": "", "starts_on": TODAY - dt.timedelta(days=365),
        "ends_on": None,
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def make_service(staff: dict[str, Any]) -> Callable[..., Any]:
    from wholefamily.commissioning.services import save_service

    def make(**overrides: Any) -> Any:
        return save_service(service=None, data=service_data(**overrides), by=staff["commissioner"])

    return make
