"""A small county on past dates for the reporting tests: families started, worked with and finished in the second
quarter of 2025/26, written straight to the records (the pathway's services refuse back-dated work)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from wholefamily.domain.reporting.quarters import Quarter
from wholefamily.domain.roles import Role

QUARTER = Quarter(2025, 2)  # July to September 2025


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@dataclass
class County:
    programme_manager: Any
    commissioner: Any
    key_worker: Any
    cases: list[Any]


@pytest.fixture
def county(make_team: Callable[..., Any], make_staff: Callable[..., Any]) -> County:
    return build_county(make_team, make_staff)


def build_county(make_team: Callable[..., Any], make_staff: Callable[..., Any]) -> County:
    """The county: `make_team(name, district)` and `make_staff(username, *roles, team=...)` as the root conftest's."""
    from wholefamily.cases.models import (
        Allocation,
        Assessment,
        Case,
        Goal,
        Plan,
        Referral,
        Review,
        TafAttendee,
        TafMeeting,
    )

    north, south = make_team("North team", "Northmoor"), make_team("South team", "Southvale")
    manager = make_staff("pm", Role.PROGRAMME_MANAGER)
    commissioner = make_staff("commissioner", Role.COMMISSIONER)
    worker = make_staff("kw", Role.KEY_WORKER, team=north)
    start = QUARTER.starts_on
    cases = []
    for index in range(14):
        team = north if index < 9 else south
        opened = start + dt.timedelta(days=index * 3)
        closed = start + dt.timedelta(days=60 + index) if index < 8 else None
        destination = ("disengaged" if index < 2 else "outcomes_achieved") if closed else ""
        case = Case.objects.create(
            reference=f"F-{index:04d}",
            family_name=f"Family {index}",
            team=team,
            origin="cohort",
            stage="closed" if closed else "plan_active",
            stage_changed_at=_at(opened),
            opened_on=opened,
            closed_on=closed,
            closure_destination=destination,
            key_worker=worker,
        )
        cases.append(case)
        Allocation.objects.create(
            case=case,
            worker=worker,
            allocated_at=_at(opened + dt.timedelta(days=2)),
            allocated_by=manager,
            ended_at=_at(closed) if closed else None,
        )
        Assessment.objects.create(
            case=case,
            definition="whole_family@1",
            assessed_on=opened + dt.timedelta(days=5),
            summary="S",
            recorded_by=worker,
            recorded_at=_at(opened),
        )
        plan = Plan.objects.create(
            case=case,
            aims="A",
            agreed_on=opened + dt.timedelta(days=10),
            updated_at=_at(opened),
            updated_by=worker,
            agreement_signed_on=opened + dt.timedelta(days=10) if index % 2 else None,
        )
        for goal in range(2):
            Goal.objects.create(
                plan=plan,
                description="G",
                actions="A",
                agency=("School", "Health")[goal],
                due_on=opened + dt.timedelta(days=40),
                is_achieved=index % 3 != 0 or goal == 0,
            )
        due = opened + dt.timedelta(days=40)
        Review.objects.create(
            case=case,
            due_on=due,
            held_on=due + dt.timedelta(days=index % 4 - 1),
            progress="P",
            outcome="continue",
            recorded_by=worker,
            recorded_at=_at(due),
        )
        if index % 2 == 0:
            meeting = TafMeeting.objects.create(case=case, held_on=opened + dt.timedelta(days=20), recorded_by=worker)
            for agency in ("School", "Health" if index % 4 == 0 else "School"):
                TafAttendee.objects.create(meeting=meeting, name="A person", agency=agency)
    sources = ("school", "school", "health", "marac", "early_help_caf")
    decisions = ("accept", "accept", "accept", "signpost", "refer_to_social_care", "")
    for index in range(18):
        received = start + dt.timedelta(days=index * 4)
        decision = decisions[index % len(decisions)]
        Referral.objects.create(
            team=north if index % 3 else south,
            source=sources[index % len(sources)],
            referrer="A referrer",
            received_on=received,
            family_name=f"Referred family {index}",
            reason="Worried",
            recorded_by=worker,
            recorded_at=_at(received),
            decision=decision,
            decided_by=manager if decision else None,
            decided_at=_at(received + dt.timedelta(days=index % 15)) if decision else None,
        )
    return County(manager, commissioner, worker, cases)
