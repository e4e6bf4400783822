"""Financial quarters and the report card's family rules."""

from __future__ import annotations

import datetime as dt

import pytest

from wholefamily.domain.reporting.card import FamilyRecord, PlanResult
from wholefamily.domain.reporting.quarters import (
    Quarter,
    last_complete_quarter,
    parse_quarter,
    quarter_of,
    quarters_ending,
)


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (dt.date(2026, 4, 1), Quarter(2026, 1)),
        (dt.date(2026, 6, 30), Quarter(2026, 1)),
        (dt.date(2026, 12, 31), Quarter(2026, 3)),
        (dt.date(2027, 1, 1), Quarter(2026, 4)),
        (dt.date(2027, 3, 31), Quarter(2026, 4)),
    ],
)
def test_quarter_of(day: dt.date, quarter: Quarter) -> None:
    assert quarter_of(day) == quarter
    assert quarter.contains(day)


def test_a_quarter_names_itself_as_boards_do() -> None:
    q4 = Quarter(2026, 4)
    assert q4.label == "Quarter 4 2026/27 (January to March 2027)"
    assert (q4.starts_on, q4.ends_on) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert parse_quarter(q4.code) == q4
    assert q4.next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == q4


@pytest.mark.parametrize("code", ["2026-28-q1", "2026-27-q5", "q1", ""])
def test_a_wrong_quarter_code_is_refused(code: str) -> None:
    with pytest.raises(ValueError):
        parse_quarter(code)


def test_the_last_complete_quarter_and_a_trend() -> None:
    assert last_complete_quarter(dt.date(2026, 12, 7)) == Quarter(2026, 2)
    assert quarters_ending(Quarter(2026, 1), 3) == (Quarter(2025, 3), Quarter(2025, 4), Quarter(2026, 1))


def _family(**changes: object) -> FamilyRecord:
    base: dict[str, object] = dict(
        case_id=1, district="D", age_group="A", tier="T", characteristic="C", instigator="I", key_worker_type="K",
        opened_on=dt.date(2026, 4, 10),
    )  # fmt: skip
    return FamilyRecord(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("destination", "goals", "result"),
    [
        ("disengaged", (True, True), PlanResult.DROPPED_OUT),
        ("outcomes_achieved", (True, True), PlanResult.WHOLLY),
        ("outcomes_achieved", (True, False), PlanResult.PARTIALLY),
        ("outcomes_achieved", (False,), PlanResult.NOT_ACHIEVED),
        ("other", (), PlanResult.NOT_ACHIEVED),
    ],
)
def test_plan_results_of_a_closed_family(destination: str, goals: tuple[bool, ...], result: PlanResult) -> None:
    family = _family(closed_on=dt.date(2026, 9, 1), destination=destination, goals_achieved=goals)
    assert family.plan_result is result
    assert _family(goals_achieved=goals).plan_result is None


def test_distance_at_a_quarter_end_is_the_latest_review_by_then() -> None:
    family = _family(distances=((dt.date(2026, 5, 1), 0.5), (dt.date(2026, 8, 1), 1.25)))
    assert family.distance_by(dt.date(2026, 4, 30)) is None
    assert family.distance_by(dt.date(2026, 6, 30)) == 0.5
    assert family.distance_by(dt.date(2026, 9, 30)) == 1.25
