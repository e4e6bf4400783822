"""Jobs run end to end through django-tasks' database backend and a real worker (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_tasks import TaskResultStatus, default_task_backend

from wholefamily.governance.models import AuditEvent
from wholefamily.jobs import tasks
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import cancel_job, start_job
from wholefamily.jobs.tests import tasks as test_tasks
from wholefamily.jobs.worker import start_inprocess_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_check_data_store_runs_end_to_end(make_staff: Any, data_store: Path, run_worker: Callable[[], int]) -> None:
    analyst = make_staff("ana")
    job = start_job(kind="check_data_store", title="Check", task=tasks.check_data_store, args={}, by=analyst)
    assert job.status == Job.Status.QUEUED
    assert default_task_backend.get_result(job.task_result_id).status == TaskResultStatus.READY

    assert run_worker() == 1

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    assert job.started_at is not None and job.finished_at is not None and job.started_at <= job.finished_at
    assert job.result["files"] == 3
    expected_bytes = sum(path.stat().st_size for path in data_store.rglob("*") if path.is_file())
    assert job.result["bytes"] == expected_bytes
    manifest = Path(job.result["manifest"]).read_text(encoding="utf-8").splitlines()
    schools_sha = hashlib.sha256((data_store / "schools.csv").read_bytes()).hexdigest()
    assert f"{schools_sha}  schools.csv" in manifest
    assert job.result["is_unchanged_since_last_check"] is False
    assert default_task_backend.get_result(job.task_result_id).status == TaskResultStatus.SUCCESSFUL
    actions = set(AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True))
    assert actions == {"start_job", "finish_job"}


def test_a_second_check_notices_a_changed_file(
    make_staff: Any, data_store: Path, run_worker: Callable[[], int]
) -> None:
    analyst = make_staff("ana")

    def check() -> Job:
        job = start_job(kind="check_data_store", title="Check", task=tasks.check_data_store, args={}, by=analyst)
        run_worker()
        job.refresh_from_db()
        return job

    first, second = check(), check()
    assert second.result["is_unchanged_since_last_check"] is True
    (data_store / "schools.csv").write_text("upn,name\nA123,Changed\n", encoding="utf-8")
    third = check()
    assert third.result["is_unchanged_since_last_check"] is False
    assert third.result["previous_fingerprint"] == first.result["fingerprint"]


def test_progress_is_written_between_steps(make_staff: Any, run_worker: Callable[[], int]) -> None:
    job = start_job(kind="test", title="Count", task=test_tasks.counted_steps, args={"steps": 5}, by=None)
    run_worker()
    # With no throttle every step is on the row before the next one starts.
    assert test_tasks.OBSERVED_DONE == [1, 2, 3, 4, 5]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.result) == (Job.Status.SUCCEEDED, 5, 5, {"steps": 5})


def test_failure_gives_a_plain_message_and_logs_the_traceback(
    run_worker: Callable[[], int], caplog: pytest.LogCaptureFixture
) -> None:
    job = start_job(kind="test", title="Fail", task=test_tasks.explode, args={}, by=None)
    with caplog.at_level(logging.ERROR, logger="wholefamily.jobs.services"):
        run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.finished_at is not None
    assert job.done == 1
    assert "unexpected error" in job.error
    assert str(job.pk) in job.error
    assert "Traceback" not in job.error and "secret" not in job.error and "RuntimeError" not in job.error
    assert "internal detail: /srv/secret/path" in caplog.text  # the full story goes to the log
    assert AuditEvent.objects.get(object_id=str(job.pk), action="finish_job").outcome == AuditEvent.Outcome.FAILED


def test_a_user_facing_error_is_shown_as_written(run_worker: Callable[[], int]) -> None:
    job = start_job(kind="test", title="Refuse", task=test_tasks.refuse, args={}, by=None)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "The police file has no header row. Export it again with headers and upload it."


def test_check_data_store_fails_clearly_without_a_data_store(
    settings: Any, tmp_path: Path, run_worker: Callable[[], int]
) -> None:
    settings.VAR_DIR = tmp_path
    settings.DATA_DIR = tmp_path / "missing"
    job = start_job(kind="check_data_store", title="Check", task=tasks.check_data_store, args={}, by=None)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith(f"There is no data store folder at {tmp_path / 'missing'}.")


def test_a_cancelled_queued_job_is_not_run(make_staff: Any, run_worker: Callable[[], int]) -> None:
    owner = make_staff("owner")
    job = start_job(kind="test", title="Count", task=test_tasks.counted_steps, args={"steps": 3}, by=owner)
    cancel_job(job=job, by=owner)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.started_at is None
    assert test_tasks.OBSERVED_DONE == []


def test_inprocess_worker_thread_runs_a_queued_job_and_progress_is_seen_meanwhile() -> None:
    """The thread `wholefamily serve` starts: this thread reads the job's progress while it runs."""
    job = start_job(kind="test", title="Gated", task=test_tasks.gated_steps, args={"steps": 4}, by=None)
    worker = start_inprocess_worker(interval=0.05)
    try:
        assert test_tasks.REACHED.wait(timeout=15), "the worker thread never started the job"
        seen = Job.objects.get(pk=job.pk)
        assert (seen.status, seen.done, seen.total, seen.message) == (Job.Status.RUNNING, 4, 8, "First half")
    finally:
        test_tasks.GATE.set()
        worker.stop(timeout=15)  # ends after the job in hand
    assert not worker.is_alive
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.message) == (Job.Status.SUCCEEDED, 8, 8, "Finished")
    assert default_task_backend.get_result(job.task_result_id).status == TaskResultStatus.SUCCESSFUL


def test_cancelling_a_running_job_stops_it_at_its_next_progress_write(make_staff: Any) -> None:
    owner = make_staff("owner")
    job = start_job(kind="test", title="Gated", task=test_tasks.gated_steps, args={"steps": 2}, by=owner)
    worker = start_inprocess_worker(interval=0.05)
    try:
        assert test_tasks.REACHED.wait(timeout=15), "the worker thread never started the job"
        cancel_job(job=job, by=owner)
    finally:
        test_tasks.GATE.set()
        worker.stop(timeout=15)
    assert not worker.is_alive
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.done == 2  # the second half never got written
    assert default_task_backend.get_result(job.task_result_id).is_finished
