"""Which stored deliveries have passed their retention period, and which must stay (ADR 0015). Pure.

A delivery is kept for its agreement's period (or the retention definition's for its kind) after the end of the
period it covers (or the day it was received). Two floors keep it longer: the current delivery of its kind (what
linkage links), any delivery a claim's evidence pack cites, until the claim's own retention ends, and (ADR 0020) any
delivery a linkage run that must stay links: the current run, or a run a claim within its retention was computed
from, whose snapshot holds copies of the delivery's records.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Delivery:
    version_id: str
    kind: str
    covers_to: dt.date
    retention_months: int
    is_current: bool
    cited_until: dt.date | None  # the latest end of retention of the claims citing it, if any
    held_by_run: str | None = None  # a linkage run that must stay and links it, with why ("L1, the current run")


@dataclass(frozen=True)
class Verdict:
    version_id: str
    kind: str
    expires_on: dt.date
    is_due: bool
    reason: str


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def judge(delivery: Delivery, *, today: dt.date) -> Verdict:
    expires_on = add_months(delivery.covers_to, delivery.retention_months)
    if expires_on >= today:
        return Verdict(
            delivery.version_id,
            delivery.kind,
            expires_on,
            False,
            f"kept until {long_date(expires_on)} ({delivery.retention_months} months)",
        )
    if delivery.is_current:
        return Verdict(
            delivery.version_id,
            delivery.kind,
            expires_on,
            False,
            "past its period, but it is the current delivery of its kind: import a newer one first",
        )
    if delivery.cited_until is not None and delivery.cited_until > today:
        return Verdict(
            delivery.version_id,
            delivery.kind,
            expires_on,
            False,
            f"past its period, but a claim's evidence cites it until {long_date(delivery.cited_until)}",
        )
    if delivery.held_by_run is not None:
        return Verdict(
            delivery.version_id,
            delivery.kind,
            expires_on,
            False,
            f"past its period, but linkage run {delivery.held_by_run} links it",
        )
    return Verdict(
        delivery.version_id, delivery.kind, expires_on, True, f"its retention period ended on {long_date(expires_on)}"
    )
