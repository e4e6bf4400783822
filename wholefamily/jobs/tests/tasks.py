"""Tasks for the jobs tests only: enqueued by module path, run by a real django-tasks worker."""

from __future__ import annotations

import threading
from typing import Any

from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import JobError, run_job

# What each step of `counted_steps` saw of its own job's row, read back from the database.
OBSERVED_DONE: list[int] = []
# `gated_steps` sets REACHED after its first steps, then waits for GATE: a test can look at the row
# mid-run without reading while the worker writes (an in-memory SQLite test database locks whole tables).
REACHED = threading.Event()
GATE = threading.Event()


@task()
def counted_steps(job_id: str, steps: int) -> dict[str, Any] | None:
    def work(progress: ProgressReporter) -> dict[str, Any]:
        progress.start(steps, "Counting")
        for _ in range(steps):
            progress.advance()
            OBSERVED_DONE.append(Job.objects.values_list("done", flat=True).get(pk=job_id))
        return {"steps": steps}

    return run_job(job_id, work, min_interval=0)


@task()
def gated_steps(job_id: str, steps: int) -> dict[str, Any] | None:
    def work(progress: ProgressReporter) -> dict[str, Any]:
        progress.start(steps * 2, "First half")
        progress.advance(steps)
        REACHED.set()
        if not GATE.wait(timeout=20):
            raise JobError("The test never opened the gate.")
        progress.set_message("Second half")
        progress.advance(steps)
        return {"steps": steps * 2}

    return run_job(job_id, work, min_interval=0)


@task()
def explode(job_id: str) -> dict[str, Any] | None:
    def work(progress: ProgressReporter) -> dict[str, Any]:
        progress.start(3, "About to fail")
        progress.advance()
        raise RuntimeError("internal detail: /srv/secret/path line 42")

    return run_job(job_id, work, min_interval=0)


@task()
def refuse(job_id: str) -> dict[str, Any] | None:
    def work(progress: ProgressReporter) -> dict[str, Any]:
        raise JobError("The police file has no header row. Export it again with headers and upload it.")

    return run_job(job_id, work)
