"""The progress protocol (pure) and JobProgress, the reporter that writes to a job's row, throttled."""

from __future__ import annotations

from typing import Any

import pytest

from wholefamily.domain.progress import FanOutProgress, NullProgress, ProgressReporter, percent_done
from wholefamily.jobs.models import Job
from wholefamily.jobs.progress import JobCancelled, JobProgress


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [(0, 10, 0), (5, 10, 50), (9, 10, 90), (10, 10, 100), (15, 10, 100), (3, None, None), (0, 0, 100), (1, 3, 33)],
)
def test_percent_done(done: int, total: int | None, expected: int | None) -> None:
    assert percent_done(done, total) == expected


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def start(self, total: int | None, message: str) -> None:
        self.calls.append(("start", total, message))

    def advance(self, n: int = 1) -> None:
        self.calls.append(("advance", n))

    def set_message(self, message: str) -> None:
        self.calls.append(("message", message))


def test_reporters_satisfy_the_protocol() -> None:
    assert isinstance(NullProgress(), ProgressReporter)
    assert isinstance(Recorder(), ProgressReporter)
    assert isinstance(JobProgress("00000000-0000-0000-0000-000000000000"), ProgressReporter)


def test_fan_out_passes_everything_to_each_reporter() -> None:
    first, second = Recorder(), Recorder()
    fan = FanOutProgress(first, second, NullProgress())
    fan.start(4, "Go")
    fan.advance(2)
    fan.set_message("Half")
    assert first.calls == second.calls == [("start", 4, "Go"), ("advance", 2), ("message", "Half")]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def running_job(db: Any) -> Job:
    return Job.objects.create(kind="test", title="Test", status=Job.Status.RUNNING)


def stored(job: Job) -> tuple[int, int | None, str]:
    job.refresh_from_db()
    return job.done, job.total, job.message


def test_writes_at_most_every_interval_and_on_flush(running_job: Job) -> None:
    clock = FakeClock()
    progress = JobProgress(running_job.pk, min_interval=0.5, clock=clock)
    progress.start(100, "Reading")
    assert stored(running_job) == (0, 100, "Reading")  # start is always written

    for _ in range(10):
        progress.advance()
    assert stored(running_job) == (0, 100, "Reading")  # within the interval: nothing written
    assert progress.writes == 1

    clock.now += 0.5
    progress.advance()
    assert stored(running_job) == (11, 100, "Reading")

    progress.set_message("Still reading")
    progress.advance(4)
    assert stored(running_job)[0] == 11
    progress.flush()
    assert stored(running_job) == (15, 100, "Still reading")
    assert progress.writes == 3
    progress.flush()  # nothing pending: no write
    assert progress.writes == 3


def test_unknown_total_is_stored_as_empty(running_job: Job) -> None:
    progress = JobProgress(running_job.pk, min_interval=0)
    progress.start(None, "Listing")
    progress.advance(7)
    assert stored(running_job) == (7, None, "Listing")
    assert running_job.percent is None


def test_long_messages_are_cut_to_fit(running_job: Job) -> None:
    JobProgress(running_job.pk).start(1, "x" * 1000)
    assert len(stored(running_job)[2]) == Job._meta.get_field("message").max_length


def test_a_write_to_a_job_no_longer_running_raises_cancelled(running_job: Job) -> None:
    progress = JobProgress(running_job.pk, min_interval=0)
    progress.start(10, "Go")
    Job.objects.filter(pk=running_job.pk).update(status=Job.Status.CANCELLED)
    with pytest.raises(JobCancelled):
        progress.advance()
    assert stored(running_job)[0] == 0


def test_every_progress_write_is_a_heartbeat(running_job: Job) -> None:
    clock = FakeClock()
    progress = JobProgress(running_job.pk, min_interval=0.5, clock=clock)
    assert running_job.heartbeat_at is None
    progress.start(10, "Go")
    running_job.refresh_from_db()
    first = running_job.heartbeat_at
    assert first is not None
    progress.advance()  # throttled: no write, so no heartbeat either
    running_job.refresh_from_db()
    assert running_job.heartbeat_at == first
    clock.now += 1
    progress.advance()
    running_job.refresh_from_db()
    assert running_job.heartbeat_at is not None and running_job.heartbeat_at >= first
    assert not running_job.is_stalled


def test_a_job_is_marked_with_a_heartbeat_when_it_starts(db: Any) -> None:
    from wholefamily.jobs.services import run_job

    job = Job.objects.create(kind="test", title="Test")
    seen: list[Any] = []

    def work(progress: ProgressReporter) -> dict[str, Any]:
        seen.append(Job.objects.values_list("heartbeat_at", "started_at").get(pk=job.pk))
        return {}

    run_job(job.pk, work)
    heartbeat_at, started_at = seen[0]
    assert heartbeat_at is not None and heartbeat_at == started_at  # before any progress was reported
