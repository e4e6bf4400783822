"""Service rules that need no worker: who may cancel, and jobs cut off when the server stopped."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import INTERRUPTED_ERROR, cancel_job, fail_interrupted_jobs, start_job
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
