"""Writes for background jobs: start one, run one inside its task, cancel one.

`start_job` creates the Job and enqueues its django-tasks task in one transaction (the database backend
stores the queue in the same database, so a job never exists without its task or the other way round).
`run_job` is called by each task function: it marks the job running, gives the work a `JobProgress`,
and records how it ended. Users see a plain message on failure; the traceback goes to the log only.
`fail_stalled_jobs` ends the jobs whose worker stopped sending heartbeats (a `db_worker` that died).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import Task

from wholefamily.domain.progress import FanOutProgress, ProgressReporter, is_stalled
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent, Team
from wholefamily.jobs.models import Job
from wholefamily.jobs.progress import JobCancelled, JobProgress

logger = logging.getLogger(__name__)

JobWork = Callable[[ProgressReporter], dict[str, Any]]

UNEXPECTED_ERROR = (
    "The job stopped because of an unexpected error. "
    "An administrator can find the details in the server log under job {job_id}."
)

INTERRUPTED_ERROR = "The server stopped while this job was running, so it did not finish. Start it again."

STALLED_REASON = "worker stopped responding"
STALLED_ERROR = (
    "The worker stopped responding while this job was running (nothing heard from it for more than {minutes} "
    "minutes), so the job did not finish. Start it again."
)


class JobError(Exception):
    """A failure whose message is written for users (what went wrong and what to do about it)."""


def starter(user_id: int, *, asked_for: str) -> User:
    """The active user who started a job (a task gets their id): a JobError if they no longer have an account."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise JobError(f"The person who asked for {asked_for} no longer has an account.")
    return user


# --- starting and cancelling --------------------------------------------------------------------
def start_job(
    *,
    kind: str,
    title: str,
    task: Task[..., Any] | None,
    args: dict[str, Any],
    by: User | None,
    team: Team | None = None,
) -> Job:
    """Create a queued job and enqueue `task(job_id=..., **args)` for a worker.

    `task` None: the caller runs the work itself right away (`run_job`), as the CLI does in the
    foreground, so that the run is recorded like any other. `by` None: the system (the CLI).
    """
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, created_by=by, team=team, message="Waiting for a worker")
        if task is not None:
            task_result = task.enqueue(job_id=str(job.pk), **args)
            job.task_result_id = str(task_result.id)
            job.save(update_fields=["task_result_id"])
        detail = {"kind": kind, "task": task.module_path if task is not None else "foreground"}
        record(by=by, action="start_job", obj=job, detail=detail)
    return job


def may_cancel_job(*, job: Job, user: User) -> bool:
    """Whoever started a job, or an administrator, may cancel it."""
    is_starter = job.created_by_id is not None and job.created_by_id == user.pk
    return is_starter or access.has_role(user, Role.ADMINISTRATOR)


def can_cancel_job(*, job: Job, user: User) -> bool:
    """Whether to offer the cancel button: the user may, and the job has not finished."""
    return not job.is_finished and may_cancel_job(job=job, user=user)


def cancel_job(*, job: Job, by: User) -> Job:
    """Cancel a queued or running job (a finished one is left as it is). A running job stops at its next
    progress write."""
    if not may_cancel_job(job=job, user=by):
        raise PermissionDenied("Only the person who started this job or an administrator can cancel it.")
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
            status=Job.Status.CANCELLED,
            finished_at=timezone.now(),
            message=f"Cancelled by {by.get_username()}",
        )
        if updated:
            record(by=by, action="cancel_job", obj=job)
    job.refresh_from_db()
    return job


# --- running (inside the task) ----------------------------------------------------------------
def run_job(
    job_id: uuid.UUID | str,
    work: JobWork,
    *,
    min_interval: float = 0.5,
    mirror: ProgressReporter | None = None,
) -> dict[str, Any] | None:
    """Run `work` for the job: mark it running, report progress, record success or a plain failure.

    Returns the work's result summary, or None when the job did not run to success (cancelled, failed).
    Never raises for a failure of the work: the job row is the record users see. `mirror` receives
    the same progress (a terminal progress bar).
    """
    if not _mark_running(job_id):
        logger.info("Job %s was not queued (cancelled or already run); skipping", job_id)
        return None
    progress = JobProgress(job_id, min_interval=min_interval)
    try:
        result = work(progress if mirror is None else FanOutProgress(progress, mirror))
        progress.flush()
    except JobCancelled:
        logger.info("Job %s stopped: cancelled", job_id)
        return None
    except JobError as exc:
        logger.warning("Job %s failed: %s", job_id, exc)
        _mark_failed(job_id, progress, str(exc))
        return None
    except Exception:
        logger.exception("Job %s failed unexpectedly", job_id)
        _mark_failed(job_id, progress, UNEXPECTED_ERROR.format(job_id=job_id))
        return None
    _mark_succeeded(job_id, progress, result)
    return result


def fail_interrupted_jobs(*, worker_id_prefix: str) -> int:
    """Mark failed the jobs left running by workers that have stopped (their ids start `worker_id_prefix`).

    Called when `wholefamily serve` starts its in-process worker: a job still running on an earlier
    in-process worker was cut off when that server stopped, and would otherwise show as running forever.
    """
    from django_tasks_db.models import DBTaskResult

    running = Job.objects.filter(status=Job.Status.RUNNING).exclude(task_result_id="")
    interrupted = [
        str(result.id)
        for result in DBTaskResult.objects.filter(id__in=[job.task_result_id for job in running])
        if result.worker_ids and str(result.worker_ids[-1]).startswith(worker_id_prefix)
    ]
    count = 0
    for job in running.filter(task_result_id__in=interrupted):
        with transaction.atomic():
            count += Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED, finished_at=timezone.now(), message="Failed", error=INTERRUPTED_ERROR
            )
            _record_end(job.pk, outcome=AuditEvent.Outcome.FAILED)
    return count


def fail_stalled_jobs(
    *, by: User | None, system_actor: str = "", now: datetime | None = None, stale_after: timedelta | None = None
) -> list[Job]:
    """Mark failed the running jobs whose worker has gone quiet (ADR 0003 addendum: the heartbeat), each audited.

    A job whose heartbeat arrives meanwhile is left running. If its worker was in fact alive, the work stops
    at its next progress write, as for a cancel. `by` None: the system (the CLI), named by `system_actor`.
    """
    now = now or timezone.now()
    stale_after = stale_after or settings.WHOLEFAMILY_JOB_STALE_AFTER
    cutoff = now - stale_after
    candidates = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    error = STALLED_ERROR.format(minutes=max(1, int(stale_after.total_seconds() // 60)))
    failed = []
    for job in candidates:
        last = job.heartbeat_at or job.started_at
        if not is_stalled(last_heartbeat_at=last, now=now, stale_after=stale_after):
            continue
        with transaction.atomic():
            # Only if no heartbeat came since we looked: the worker may have just written one.
            updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at).update(
                status=Job.Status.FAILED, finished_at=timezone.now(), message="Failed", error=error
            )
            if updated:
                detail = {"reason": STALLED_REASON, "last_heartbeat_at": last.isoformat() if last else None}
                record(
                    by=by,
                    action="finish_job",
                    obj=job,
                    outcome=AuditEvent.Outcome.FAILED,
                    detail=detail,
                    system_actor=system_actor,
                )
                failed.append(job)
    for job in failed:
        job.refresh_from_db()
    return failed


def _mark_running(job_id: uuid.UUID | str) -> bool:
    now = timezone.now()
    with transaction.atomic():
        return bool(
            Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, message="Starting"
            )
        )


def _mark_succeeded(job_id: uuid.UUID | str, progress: JobProgress, result: dict[str, Any]) -> None:
    with transaction.atomic():
        updated = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.SUCCEEDED,
            finished_at=timezone.now(),
            done=progress.done,
            total=progress.total if progress.total is not None else progress.done,
            message="Finished",
            result=result,
        )
        if updated:
            _record_end(job_id, outcome=AuditEvent.Outcome.SUCCESS)


def _mark_failed(job_id: uuid.UUID | str, progress: JobProgress, error: str) -> None:
    with transaction.atomic():
        updated = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            done=progress.done,
            total=progress.total,
            message="Failed",
            error=error,
        )
        if updated:
            _record_end(job_id, outcome=AuditEvent.Outcome.FAILED)


def _record_end(job_id: uuid.UUID | str, *, outcome: str) -> None:
    """The worker, not a person, ends a job: the audit event has no actor."""
    record(by=None, action="finish_job", object_type=Job._meta.label_lower, object_id=str(job_id), outcome=outcome)
