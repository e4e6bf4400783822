"""Service rules that need no worker: who may cancel, jobs cut off when the server stopped, stalled jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import (
    INTERRUPTED_ERROR,
    cancel_job,
    fail_interrupted_jobs,
    fail_stalled_jobs,
    start_job,
)
from wholefamily.jobs.tests import tasks as test_tasks
from wholefamily.jobs.worker import WORKER_ID_PREFIX

pytestmark = pytest.mark.django_db


def running_on(worker_id: str) -> Job:
    job = start_job(kind="test", title="T", task=test_tasks.counted_steps, args={"steps": 1}, by=None)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    DBTaskResult.objects.filter(id=job.task_result_id).update(status=TaskResultStatus.RUNNING, worker_ids=[worker_id])
    return job


def test_jobs_left_running_by_an_inprocess_worker_are_failed_plainly() -> None:
    orphan = running_on(f"{WORKER_ID_PREFIX}old")
    elsewhere = running_on("db-worker-7")  # a separate worker process may still be running it
    queued = start_job(kind="test", title="T", task=test_tasks.counted_steps, args={"steps": 1}, by=None)

    assert fail_interrupted_jobs(worker_id_prefix=WORKER_ID_PREFIX) == 1

    orphan.refresh_from_db()
    assert (orphan.status, orphan.error) == (Job.Status.FAILED, INTERRUPTED_ERROR)
    assert orphan.finished_at is not None
    assert Job.objects.get(pk=elsewhere.pk).status == Job.Status.RUNNING
    assert Job.objects.get(pk=queued.pk).status == Job.Status.QUEUED
    assert AuditEvent.objects.filter(object_id=str(orphan.pk), action="finish_job", outcome="failed").exists()


def test_only_the_starter_or_an_administrator_may_cancel(make_staff: Any) -> None:
    owner, analyst = make_staff("owner"), make_staff("ana", Role.DATA_ANALYST)
    admin = make_staff("adm", Role.ADMINISTRATOR)
    job = start_job(kind="test", title="T", task=test_tasks.counted_steps, args={"steps": 1}, by=owner)
    with pytest.raises(PermissionDenied):
        cancel_job(job=job, by=analyst)
    assert cancel_job(job=job, by=admin).status == Job.Status.CANCELLED
    cancelled_at = Job.objects.get(pk=job.pk).finished_at
    again = cancel_job(job=job, by=owner)  # already finished: left as it is, not audited twice
    assert (again.status, again.finished_at) == (Job.Status.CANCELLED, cancelled_at)
    assert AuditEvent.objects.filter(object_id=str(job.pk), action="cancel_job").count() == 1


def test_a_finished_job_is_not_cancelled(make_staff: Any) -> None:
    owner = make_staff("owner")
    job = start_job(kind="test", title="T", task=test_tasks.counted_steps, args={"steps": 1}, by=owner)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED)
    job.refresh_from_db()
    assert cancel_job(job=job, by=owner).status == Job.Status.SUCCEEDED


def running_since(minutes_ago: float, *, heartbeat: bool = True) -> Job:
    then = timezone.now() - timedelta(minutes=minutes_ago)
    return Job.objects.create(
        kind="test",
        title="T",
        status=Job.Status.RUNNING,
        started_at=then,
        heartbeat_at=then if heartbeat else None,
    )


def test_a_running_job_shows_as_stalled_once_its_heartbeat_is_older_than_the_setting(settings: Any) -> None:
    settings.WHOLEFAMILY_JOB_STALE_AFTER = timedelta(minutes=10)
    fresh, quiet = running_since(9), running_since(11)
    never_beat = running_since(11, heartbeat=False)  # started before heartbeats existed: judged by its start
    assert (fresh.is_stalled, fresh.shown_status, fresh.shown_status_label) == (False, "running", "Running")
    assert (quiet.is_stalled, quiet.shown_status, quiet.shown_status_label) == (True, "stalled", "Stalled")
    assert never_beat.is_stalled
    failed = Job.objects.create(kind="test", title="T", status=Job.Status.FAILED, heartbeat_at=quiet.heartbeat_at)
    assert not failed.is_stalled and failed.shown_status == "failed"
    settings.WHOLEFAMILY_JOB_STALE_AFTER = timedelta(minutes=30)
    assert not quiet.is_stalled


def test_stalled_jobs_are_marked_failed_with_the_reason_and_audited(settings: Any) -> None:
    settings.WHOLEFAMILY_JOB_STALE_AFTER = timedelta(minutes=10)
    stalled, never_beat, fresh = running_since(30), running_since(30, heartbeat=False), running_since(1)
    queued = Job.objects.create(kind="test", title="T")

    failed = fail_stalled_jobs(by=None, system_actor="system:test")

    assert {job.pk for job in failed} == {stalled.pk, never_beat.pk}
    for job in (stalled, never_beat):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and job.finished_at is not None
        assert "worker stopped responding" in job.error and "more than 10 minutes" in job.error
        event = AuditEvent.objects.get(object_id=str(job.pk), action="finish_job")
        assert (event.outcome, event.actor, event.actor_label) == ("failed", None, "system:test")
        assert event.detail["reason"] == "worker stopped responding"
    assert Job.objects.get(pk=fresh.pk).status == Job.Status.RUNNING
    assert Job.objects.get(pk=queued.pk).status == Job.Status.QUEUED
    assert fail_stalled_jobs(by=None) == []  # nothing left to do; nothing audited twice
    assert AuditEvent.objects.filter(action="finish_job").count() == 2


def test_a_heartbeat_that_arrives_meanwhile_keeps_the_job_running(monkeypatch: Any, settings: Any) -> None:
    from wholefamily.jobs import services

    settings.WHOLEFAMILY_JOB_STALE_AFTER = timedelta(minutes=10)
    job = running_since(30)
    judged = services.is_stalled

    def heartbeat_then_judge(**kwargs: Any) -> bool:
        Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())  # the worker writes progress now
        return judged(**kwargs)

    monkeypatch.setattr(services, "is_stalled", heartbeat_then_judge)
    assert fail_stalled_jobs(by=None) == []
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    assert not AuditEvent.objects.filter(object_id=str(job.pk)).exists()


def test_a_worker_still_alive_stops_at_its_next_progress_write_after_being_marked_failed(settings: Any) -> None:
    from wholefamily.jobs.progress import JobCancelled, JobProgress

    settings.WHOLEFAMILY_JOB_STALE_AFTER = timedelta(minutes=10)
    job = running_since(30)
    fail_stalled_jobs(by=None)
    with pytest.raises(JobCancelled):
        JobProgress(job.pk).start(10, "Back again")
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
