"""How long-running work reports its progress, without knowing who is watching.

Data-plane code (imports, linkage, identification, synthetic data) takes a `ProgressReporter`; the web
worker passes one that writes to the job's row, the CLI one that draws a progress bar, tests and
callers who do not care pass `NullProgress`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class ProgressReporter(Protocol):
    """Receives progress from a long piece of work."""

    def start(self, total: int | None, message: str) -> None:
        """Begin (or begin a new stage): `total` steps, or None when the size is not known."""

    def advance(self, n: int = 1) -> None:
        """`n` more steps are done."""

    def set_message(self, message: str) -> None:
        """Say what is happening now, in words a user understands."""


class NullProgress:
    """A reporter that ignores everything: for callers that do not show progress."""

    def start(self, total: int | None, message: str) -> None:
        return None

    def advance(self, n: int = 1) -> None:
        return None

    def set_message(self, message: str) -> None:
        return None


def percent_done(done: int, total: int | None) -> int | None:
    """Whole percent done, 0 to 100; None when the total is not known."""
    if total is None:
        return None
    if total <= 0:
        return 100
    return max(0, min(100, (done * 100) // total))


def is_stalled(*, last_heartbeat_at: datetime | None, now: datetime, stale_after: timedelta) -> bool:
    """Whether running work has gone quiet: its last heartbeat is more than `stale_after` before `now` (ADR 0003).

    Without any heartbeat there is nothing to judge by (the caller passes the start time instead); a heartbeat
    later than `now` (another machine's clock running ahead) is recent.
    """
    if last_heartbeat_at is None:
        return False
    return now - last_heartbeat_at > stale_after


class FanOutProgress:
    """Passes progress on to several reporters (e.g. the job's row and a terminal progress bar)."""

    def __init__(self, *reporters: ProgressReporter) -> None:
        self.reporters = reporters

    def start(self, total: int | None, message: str) -> None:
        for reporter in self.reporters:
            reporter.start(total, message)

    def advance(self, n: int = 1) -> None:
        for reporter in self.reporters:
            reporter.advance(n)

    def set_message(self, message: str) -> None:
        for reporter in self.reporters:
            reporter.set_message(message)
