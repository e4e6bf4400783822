"""The demo history's plan (ADR 0011): each family's days in the pathway's order and never after today, key workers
never over their caseload limit on any day, distance-travelled scores that ease after the first review."""

from __future__ import annotations

import datetime as dt

import pytest

from wholefamily.domain.pathway import Destination, add_months
from wholefamily.synth.demo_history import Days, assign_workers, family_days, family_score, intake_day

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize("index", range(8))
def test_a_familys_days_follow_the_pathway(index: int) -> None:
    opened_on = intake_day(index, 8, identified_on=dt.date(2022, 8, 31))
    days = family_days(index, opened_on=opened_on, today=TODAY)
    assert days.opened_on > dt.date(2022, 8, 31)
    assert days.allocated_on and days.assessed_on and days.agreed_on and days.closed_on
    steps = [days.opened_on, days.gathered_on, days.waiting_on, days.allocated_on, days.assessed_on, days.agreed_on,
             *days.reviews, days.closed_on]  # fmt: skip
    assert steps == sorted(steps)
    assert days.reviews[0] == add_months(days.agreed_on, 1)  # the first review a month after the plan
    assert len(days.reviews) >= 2  # a baseline and two reviews: distance travelled at several time points
    assert all(later == add_months(earlier, 3) for earlier, later in zip(days.reviews, days.reviews[1:], strict=False))


def test_steps_after_today_are_left_for_the_future() -> None:
    days = family_days(0, opened_on=TODAY - dt.timedelta(days=40), today=TODAY)
    assert days.allocated_on is not None and days.agreed_on is None and days.closed_on is None and days.reviews == ()


def _days(allocated_on: dt.date, closed_on: dt.date | None) -> Days:
    return Days(allocated_on, allocated_on, allocated_on, allocated_on, None, None, (), closed_on,
                Destination.OUTCOMES_ACHIEVED)  # fmt: skip


def test_no_key_worker_holds_more_than_the_limit_on_any_day() -> None:
    start = dt.date(2023, 1, 2)
    plans = [_days(start + dt.timedelta(days=i), start + dt.timedelta(days=100 + i)) for i in range(7)]
    chosen = assign_workers(plans, ["a", "b"], {"a": 2, "b": 1})
    assert chosen == ["a", "b", "a", None, None, None, None]  # three open at once at most, then a waiting list
    later = [*plans, _days(start + dt.timedelta(days=150), None)]
    assert assign_workers(later, ["a", "b"], {"a": 2, "b": 1})[-1] is not None  # after closures there is room


def test_need_eases_after_the_first_review_for_most_families() -> None:
    for index in range(12):
        baseline = [family_score(index, position, 0) for position in range(4)]
        last = [family_score(index, position, 3) for position in range(4)]
        assert all(3 <= score <= 5 for score in baseline)
        assert all(after < before for before, after in zip(baseline, last, strict=True))
    assert family_score(0, 0, 1) > family_score(0, 0, 0)  # more need found at the first review


def test_a_family_that_stays_open_is_reviewed_every_three_months_to_today() -> None:
    today = dt.date(2026, 12, 7)
    days = family_days(0, opened_on=dt.date(2025, 9, 7), today=today, stays_open=True)
    assert days.closed_on is None and days.agreed_on is not None
    assert days.reviews[0] == add_months(days.agreed_on, 1) and days.reviews[-1] <= today
    assert all(add_months(a, 3) == b for a, b in zip(days.reviews, days.reviews[1:], strict=False))
    assert add_months(days.reviews[-1], 3) > today  # none due and left unrecorded
    closing = family_days(0, opened_on=dt.date(2025, 9, 7), today=today)
    assert closing.closed_on is not None and closing.closed_on <= today
