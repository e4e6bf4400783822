"""Retention verdicts: the period, then the floors (current delivery, claim evidence)."""

from __future__ import annotations

import datetime as dt

import pytest

from wholefamily.domain.retention import Delivery, add_months, judge

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("covers_to", "months", "is_current", "cited_until", "is_due", "reason"),
    [
        (dt.date(2024, 3, 31), 72, False, None, False, "kept until 31 March 2030"),
        (dt.date(2018, 3, 31), 72, False, None, True, "ended on 31 March 2024"),
        (dt.date(2018, 3, 31), 72, True, None, False, "current delivery"),
        (dt.date(2018, 3, 31), 72, False, dt.date(2027, 7, 31), False, "claim's evidence cites it until 31 July 2027"),
        (dt.date(2018, 3, 31), 72, False, dt.date(2026, 1, 31), True, "ended on 31 March 2024"),
        (dt.date(2020, 12, 7), 72, False, None, False, "kept until 7 December 2026"),
    ],
)
def test_verdicts(covers_to, months, is_current, cited_until, is_due, reason):
    verdict = judge(Delivery("v1", "offences", covers_to, months, is_current, cited_until), today=TODAY)
    assert verdict.is_due is is_due
    assert reason in verdict.reason


def test_add_months_keeps_month_ends():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2018, 3, 31), 72) == dt.date(2024, 3, 31)
    assert add_months(dt.date(2014, 7, 15), 84) == dt.date(2021, 7, 15)


def test_a_delivery_a_kept_linkage_run_links_stays_past_its_period():
    held = Delivery("v1", "offences", dt.date(2014, 3, 31), 72, False, None, held_by_run="L1, the current run,")
    verdict = judge(held, today=TODAY)
    assert not verdict.is_due and verdict.reason == "past its period, but linkage run L1, the current run, links it"
