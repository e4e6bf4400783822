"""`JobProgress`: a ProgressReporter that writes a job's progress to its row, throttled.

Writes go to the Job row at most every `min_interval` seconds (and on `flush()`), each in its own short
transaction, so the web and `wholefamily jobs watch` see progress while the work runs. Each write is also the
job's heartbeat (`heartbeat_at`): a running job silent for longer than WHOLEFAMILY_JOB_STALE_AFTER shows as
stalled, its worker having probably stopped. Cancellation is
cooperative: when a write finds the job no longer running (someone cancelled it), it raises
`JobCancelled`, which `run_job` turns into a quiet stop.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from wholefamily.jobs.models import Job

logger = logging.getLogger(__name__)

MESSAGE_MAX_LENGTH = Job._meta.get_field("message").max_length or 300


class JobCancelled(Exception):
    """The job was cancelled while it ran; the work should stop."""


class JobProgress:
    """Progress of one running job, written to its row."""

    def __init__(
        self,
        job_id: uuid.UUID | str,
        *,
        min_interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.min_interval = min_interval
        self.clock = clock
        self.done = 0
        self.total: int | None = None
        self.message = ""
        self._last_write_at: float | None = None
        self._is_dirty = False
        self.writes = 0

    # --- ProgressReporter -------------------------------------------------------------
    def start(self, total: int | None, message: str) -> None:
        self.done = 0
        self.total = total
        self.message = message
        self._changed(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._changed()

    def set_message(self, message: str) -> None:
        self.message = message
        self._changed()

    # --- writing -------------------------------------------------------------------------
    def flush(self) -> None:
        """Write what is pending now, whatever the throttle says."""
        if self._is_dirty:
            self._write()

    def _changed(self, *, force: bool = False) -> None:
        self._is_dirty = True
        now = self.clock()
        if force or self._last_write_at is None or now - self._last_write_at >= self.min_interval:
            self._write()

    def _write(self) -> None:
        if transaction.get_connection().in_atomic_block:
            # Inside the caller's transaction the write would stay invisible until it commits.
            logger.debug("Job %s progress written inside an open transaction", self.job_id)
        with transaction.atomic():
            updated = Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                done=self.done,
                total=self.total,
                message=self.message[:MESSAGE_MAX_LENGTH],
                heartbeat_at=timezone.now(),
            )
        self._last_write_at = self.clock()
        self._is_dirty = False
        self.writes += 1
        if not updated:
            raise JobCancelled(f"Job {self.job_id} is no longer running")
