"""A small county for the API's tests: two teams, each with a team manager, a key worker and families with plans;
county-wide programme manager, auditor and data analyst; and tokens for any of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from wholefamily.domain.pathway import MemberRole, Stage
from wholefamily.domain.roles import Role

ALL = [
    "cases:write",
    "referrals:write",
    "identification:write",
    "jobs:write",
    "audit:write",
    "outcomes:write",
    "claims:write",
    "deliveries:write",
    "extracts:write",
]


@dataclass
class County:
    north: Any
    south: Any
    users: dict[str, Any]
    cases: dict[str, Any]  # "north" / "south" / "north_unallocated"


def _family(team: Any, manager: Any, worker: Any | None, name: str, person: str) -> Any:
    from wholefamily.cases import services
    from wholefamily.cases.tests.builders import TODAY, all_scores

    case = services.open_case_from_cohort(
        team=team,
        household_id="",
        family_name=name,
        members=[
            services.MemberDetails(f"{person} Parent", MemberRole.PARENTING_ADULT, "", dt.date(1985, 4, 2)),
            services.MemberDetails(f"{person} Child", MemberRole.CHILD, "", dt.date(2014, 9, 1)),
        ],
        evidence_summary="Two headline problems: education and crime.",
        by=manager,
    )
    for step in (Stage.INFORMATION_GATHERING, Stage.AWAITING_ALLOCATION):
        case = services.move_case(case=case, to=step, by=manager)
    if worker is None:
        return case
    services.allocate_case(case=case, worker=worker, by=manager)
    case.refresh_from_db()
    services.record_assessment(case=case, assessed_on=TODAY, summary="S", scores=all_scores(), by=worker)
    case.refresh_from_db()
    services.agree_plan(case=case, aims="Children in school every day", agreed_on=TODAY, by=worker)
    case.refresh_from_db()
    return case


@pytest.fixture
def county(make_team: Callable[..., Any], make_staff: Callable[..., Any]) -> County:
    north = make_team("Northmoor Family Support", district="Northmoor")
    south = make_team("Southvale Family Support", district="Southvale")
    users = {
        "north_manager": make_staff("nora.manager", Role.TEAM_MANAGER, team=north),
        "north_worker": make_staff("kim.worker", Role.KEY_WORKER, team=north),
        "south_manager": make_staff("sam.manager", Role.TEAM_MANAGER, team=south),
        "south_worker": make_staff("sid.worker", Role.KEY_WORKER, team=south),
        "programme_manager": make_staff("pat.programme", Role.PROGRAMME_MANAGER),
        "auditor": make_staff("ada.auditor", Role.AUDITOR),
        "data_analyst": make_staff("dan.analyst", Role.DATA_ANALYST),
        "commissioner": make_staff("cora.commissioner", Role.COMMISSIONER),
    }
    cases = {
        "north": _family(north, users["north_manager"], users["north_worker"], "the Northwick family", "Ottoline"),
        "north_unallocated": _family(north, users["north_manager"], None, "the Northgate family", "Olive"),
        "south": _family(south, users["south_manager"], users["south_worker"], "the Southerby family", "Barnaby"),
    }
    return County(north=north, south=south, users=users, cases=cases)


@pytest.fixture
def bearer() -> Callable[..., dict[str, str]]:
    """`bearer(user, scopes=[...], expires_in=days)`: the Authorization header of a new token of `user`."""
    from wholefamily.api import tokens

    def make(user: Any, scopes: list[str] | None = None, expires_in: float = 30) -> dict[str, str]:
        token, secret = tokens.make_token(
            user=user,
            name="test",
            scopes=scopes or ALL,
            expires_at=timezone.now() + dt.timedelta(days=max(expires_in, 1)),
            by=user,
        )
        if expires_in <= 0:
            type(token).objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=expires_in))
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make
