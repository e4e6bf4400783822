"""The heartbeat rule (pure): a running job is stalled when its worker's last sign of life is too old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wholefamily.domain.progress import is_stalled

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TEN_MINUTES = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("last_heartbeat_at", "stale_after", "expected"),
    [
        (NOW, TEN_MINUTES, False),  # just heard from
        (NOW - timedelta(minutes=9, seconds=59), TEN_MINUTES, False),
        (NOW - TEN_MINUTES, TEN_MINUTES, False),  # exactly the limit: not older than it
        (NOW - TEN_MINUTES - timedelta(microseconds=1), TEN_MINUTES, True),
        (NOW - timedelta(hours=5), TEN_MINUTES, True),
        (NOW - timedelta(minutes=2), timedelta(minutes=1), True),  # a shorter setting
        (NOW + timedelta(minutes=30), TEN_MINUTES, False),  # the worker's clock runs ahead
        (None, TEN_MINUTES, False),  # nothing to judge by
    ],
)
def test_is_stalled(last_heartbeat_at: datetime | None, stale_after: timedelta, expected: bool) -> None:
    assert is_stalled(last_heartbeat_at=last_heartbeat_at, now=NOW, stale_after=stale_after) is expected


def test_is_stalled_compares_instants_across_time_zones() -> None:
    london_summer = datetime(2026, 7, 1, 14, 0, tzinfo=ZoneInfo("Europe/London"))  # 13:00 UTC
    now = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)
    assert not is_stalled(last_heartbeat_at=london_summer, now=now, stale_after=TEN_MINUTES)
    assert is_stalled(last_heartbeat_at=london_summer, now=now, stale_after=timedelta(minutes=4))
