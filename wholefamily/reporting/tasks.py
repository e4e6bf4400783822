"""Background task: build a quarter's board pack as job `job_id` (started from the board packs page, ADR 0003)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.domain.reporting.quarters import parse_quarter
from wholefamily.jobs.services import JobError, run_job, starter

BUILD_BOARD_PACK = "build_board_pack"


def build_work(job_id: str | None, quarter: str, user_id: int, progress: ProgressReporter) -> dict[str, Any]:
    from wholefamily.jobs.models import Job
    from wholefamily.reporting.services import build_board_pack

    user = starter(user_id, asked_for="the board pack")
    job = Job.objects.filter(pk=job_id).first() if job_id else None
    try:
        pack = build_board_pack(quarter=parse_quarter(quarter), by=user, job=job, progress=progress)
    except PermissionDenied as error:
        raise JobError(str(error) or "Only a programme manager can build a board pack.") from None
    return {
        "quarter": pack.quarter,
        "version": pack.version,
        "report": reverse("reporting:board_pack", args=[pack.pk]),
        "report_text": "Open the board pack",
    }


@task()
def build_pack(job_id: str, quarter: str, user_id: int) -> dict[str, Any] | None:
    """Build the board pack of `quarter` (a code like 2026-27-q2) as job `job_id`."""
    return run_job(job_id, lambda progress: build_work(job_id, quarter, user_id, progress))
