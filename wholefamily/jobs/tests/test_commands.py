"""`wholefamily jobs` (list, run with a progress bar, watch) and `wholefamily serve` with its worker thread."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from wholefamily.governance.models import AuditEvent
from wholefamily.jobs.models import Job


def run_jobs(*args: str) -> str:
    out = StringIO()
    call_command("jobs", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_run_in_the_foreground_records_the_job_and_prints_the_summary(data_store: Path) -> None:
    out = run_jobs("run", "check_data_store")
    job = Job.objects.get()
    assert (job.status, job.done, job.total, job.created_by) == (Job.Status.SUCCEEDED, 3, 3, None)
    assert job.task_result_id == ""  # it ran here, not on a worker
    assert "Checking 3 files" in out and "3/3" in out  # the progress bar's last frame
    assert f"Job {job.pk} succeeded." in out
    assert '"files": 3' in out


@pytest.mark.django_db
def test_run_in_the_foreground_reports_a_plain_failure(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "nowhere"
    with pytest.raises(CommandError, match="failed: There is no data store folder"):
        run_jobs("run", "check_data_store")
    assert Job.objects.get().status == Job.Status.FAILED


@pytest.mark.django_db
def test_run_in_the_background_queues_the_job() -> None:
    out = run_jobs("run", "check_data_store", "--background")
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED and job.task_result_id
    assert f"wholefamily jobs watch {job.pk}" in out


@pytest.mark.django_db
def test_list_and_watch() -> None:
    done = Job.objects.create(kind="k", title="Done", status=Job.Status.SUCCEEDED, done=5, total=5, result={"n": 5})
    waiting = Job.objects.create(kind="k", title="Waiting")
    listing = run_jobs("list")
    assert str(done.pk) in listing and str(waiting.pk) in listing and "5 / 5" in listing

    watched = run_jobs("watch", str(done.pk))
    assert f"Job {done.pk} succeeded." in watched and '"n": 5' in watched
    with pytest.raises(CommandError, match="still queued; gave up"):
        run_jobs("watch", str(waiting.pk), "--interval", "0.01", "--timeout", "0.05")
    Job.objects.filter(pk=waiting.pk).update(status=Job.Status.FAILED, error="No header row.")
    with pytest.raises(CommandError, match=r"failed: No header row\."):
        run_jobs("watch", str(waiting.pk))


@pytest.mark.django_db
def test_mark_stalled_fails_the_jobs_whose_worker_stopped_responding(settings: Any) -> None:
    settings.WHOLEFAMILY_JOB_STALE_AFTER = timedelta(minutes=10)
    long_ago = timezone.now() - timedelta(hours=2)
    stalled = Job.objects.create(
        kind="import", title="Import", status=Job.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    alive = Job.objects.create(
        kind="import", title="Import", status=Job.Status.RUNNING, started_at=long_ago, heartbeat_at=timezone.now()
    )
    listing = run_jobs("list")
    assert f"{stalled.pk}  stalled " in listing and f"{alive.pk}  running " in listing
    with pytest.raises(CommandError, match="has stalled: its worker stopped responding"):
        run_jobs("watch", str(stalled.pk), "--interval", "0.01")

    out = run_jobs("mark-stalled")
    assert f"Marked failed: {stalled.pk}" in out and "1 stalled job(s) marked failed" in out
    stalled.refresh_from_db()
    assert stalled.status == Job.Status.FAILED and "worker stopped responding" in stalled.error
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING
    event = AuditEvent.objects.get(object_id=str(stalled.pk), action="finish_job")
    assert (event.outcome, event.actor_label) == ("failed", "system:jobs mark-stalled")
    assert run_jobs("mark-stalled") == "No stalled jobs.\n"
    with pytest.raises(CommandError, match="failed: The worker stopped responding"):
        run_jobs("watch", str(stalled.pk))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wholefamily(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wholefamily.cli", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize("value", ["ten minutes", "0", "-5"])
def test_a_bad_stale_after_setting_is_refused_at_start(tmp_path: Path, value: str) -> None:
    env = os.environ | {"WHOLEFAMILY_VAR_DIR": str(tmp_path), "WHOLEFAMILY_JOB_STALE_AFTER": value}
    result = wholefamily("check", env=env)
    assert result.returncode != 0
    assert "WHOLEFAMILY_JOB_STALE_AFTER must be a whole number of seconds" in result.stderr


def test_serve_runs_queued_jobs_in_its_worker_thread(tmp_path: Path) -> None:
    """The real `wholefamily serve` process on its own SQLite file: a job queued by another process runs."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "one.csv").write_text("a\n1\n", encoding="utf-8")
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "WHOLEFAMILY_VAR_DIR": str(tmp_path),
        "WHOLEFAMILY_INPROCESS_WORKER": "1",
    }
    env.pop("WHOLEFAMILY_ENV", None)
    assert wholefamily("migrate", "-v0", env=env).returncode == 0
    port = free_port()
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "wholefamily.cli", "serve", f"127.0.0.1:{port}", "--interval", "0.2"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        queued = wholefamily("jobs", "run", "check_data_store", "--background", env=env)
        assert queued.returncode == 0, queued.stderr
        job_id = queued.stdout.split()[2].rstrip(".")
        watched = wholefamily("jobs", "watch", job_id, "--timeout", "30", env=env)
        assert watched.returncode == 0, watched.stdout + watched.stderr
        assert f"Job {job_id} succeeded." in watched.stdout and '"files": 1' in watched.stdout
        assert _http_status(f"http://127.0.0.1:{port}/jobs/{job_id}/progress.json") == 401  # up, and guarded
    finally:
        server.terminate()
        server.wait(timeout=10)
    log_text = (tmp_path / "serve.log").read_text()
    assert f"WholeFamily at http://127.0.0.1:{port}/ (background tasks run in this process)" in log_text


def _http_status(url: str, *, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback only)
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
