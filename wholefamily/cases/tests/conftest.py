"""Fixtures for case tests: two teams with a manager and key workers each, and families at each stage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

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
