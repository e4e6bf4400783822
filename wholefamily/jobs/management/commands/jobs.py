"""`wholefamily jobs list | run KIND [--background] | watch JOB_ID | mark-stalled`: background jobs from the terminal.

`run` does the work in the foreground with a progress bar (no worker needed); with --background it
queues a job for the worker instead and prints its id. `watch` follows a queued or running job until
it ends (or stalls). `mark-stalled` marks failed the running jobs whose worker has stopped sending
heartbeats (WHOLEFAMILY_JOB_STALE_AFTER). The terminal is a trusted operator's: it sees every job.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wholefamily.jobs.cli_progress import RichProgress, console_for
from wholefamily.jobs.kinds import KINDS, get_kind
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import fail_stalled_jobs, run_job, start_job

SYSTEM_ACTOR = "system:jobs mark-stalled"


class Command(BaseCommand):
    help = "List, run and watch background jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,run,watch,mark-stalled}")
        listing = actions.add_parser("list", help="The most recent jobs.")
        listing.add_argument("--limit", type=int, default=20)
        run = actions.add_parser("run", help="Run a kind of job in the foreground, with a progress bar.")
        run.add_argument("kind", choices=sorted(KINDS), help="The kind of job.")
        run.add_argument("--background", action="store_true", help="Queue it for the worker instead; print its id.")
        watch = actions.add_parser("watch", help="Show a job's progress bar until it ends.")
        watch.add_argument("job_id", type=uuid.UUID)
        watch.add_argument("--interval", type=float, default=0.5, help="Seconds between looks (default 0.5).")
        watch.add_argument("--timeout", type=float, default=None, help="Give up after this many seconds.")
        actions.add_parser(
            "mark-stalled",
            help="Mark failed the running jobs whose worker stopped responding (no heartbeat for "
            "WHOLEFAMILY_JOB_STALE_AFTER seconds).",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "list":
            self.list_jobs(limit=options["limit"])
        elif action == "run":
            self.run_kind(options["kind"], is_background=options["background"])
        elif action == "mark-stalled":
            self.mark_stalled()
        else:
            self.watch_job(options["job_id"], interval=options["interval"], timeout=options["timeout"])

    def list_jobs(self, *, limit: int) -> None:
        jobs = list(Job.objects.select_related("created_by")[:limit])
        if not jobs:
            self.stdout.write("No jobs yet.")
            return
        self.stdout.write(f"{'id':36}  {'status':9}  {'created':16}  {'progress':>21}  {'started by':12}  kind")
        for job in jobs:
            progress = f"{job.done:,}" + (f" / {job.total:,}" if job.total is not None else "")
            by = job.created_by.get_username() if job.created_by else "system"
            created = f"{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}"
            self.stdout.write(f"{job.pk!s:36}  {job.shown_status:9}  {created:16}  {progress:>21}  {by:12}  {job.kind}")

    def mark_stalled(self) -> None:
        failed = fail_stalled_jobs(by=None, system_actor=SYSTEM_ACTOR)
        if not failed:
            self.stdout.write("No stalled jobs.")
            return
        for job in failed:
            last = job.heartbeat_at or job.started_at
            heard = f"{timezone.localtime(last):%Y-%m-%d %H:%M}" if last else "never"
            self.stdout.write(f"Marked failed: {job.pk}  {job.kind}  (last heartbeat {heard})")
        self.stdout.write(f"{len(failed)} stalled job(s) marked failed: worker stopped responding.")

    def run_kind(self, code: str, *, is_background: bool) -> None:
        kind = get_kind(code)
        if is_background:
            job = start_job(kind=kind.code, title=kind.title, task=kind.task, args={}, by=None)
            self.stdout.write(f"Queued job {job.pk}. Follow it with: wholefamily jobs watch {job.pk}")
            return
        job = start_job(kind=kind.code, title=kind.title, task=None, args={}, by=None)
        with RichProgress(console=console_for(self.stdout)) as bar:
            run_job(job.pk, kind.work, mirror=bar)
        job.refresh_from_db()
        self.report_end(job)

    def watch_job(self, job_id: uuid.UUID, *, interval: float, timeout: float | None) -> None:
        job = Job.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"No job {job_id}")
        deadline = None if timeout is None else time.monotonic() + timeout
        with RichProgress(console=console_for(self.stdout)) as bar:
            while True:
                bar.show(done=job.done, total=job.total, message=f"{job.title}: {job.message}")
                if job.is_finished or job.is_stalled or (deadline is not None and time.monotonic() >= deadline):
                    break
                time.sleep(interval)
                job.refresh_from_db()
        self.report_end(job)

    def report_end(self, job: Job) -> None:
        if job.status == Job.Status.SUCCEEDED:
            self.stdout.write(f"Job {job.pk} succeeded.")
            self.stdout.write(json.dumps(job.result, indent=2, sort_keys=True))
        elif job.status == Job.Status.FAILED:
            raise CommandError(f"Job {job.pk} failed: {job.error}")
        elif job.status == Job.Status.CANCELLED:
            raise CommandError(f"Job {job.pk} was cancelled.")
        elif job.is_stalled:
            raise CommandError(
                f"Job {job.pk} has stalled: its worker stopped responding. "
                "Check the worker; `wholefamily jobs mark-stalled` marks such jobs failed."
            )
        else:
            raise CommandError(f"Job {job.pk} is still {job.get_status_display().lower()}; gave up watching.")
