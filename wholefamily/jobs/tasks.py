"""The jobs app's own background tasks (django-tasks), each a thin wrapper over `run_job`.

Other apps define their tasks in their own tasks.py the same way: `@task()`, a `job_id` argument,
and the work itself in a function that takes a ProgressReporter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.jobs.checksums import checksum_tree
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import JobError, run_job

CHECK_DATA_STORE = "check_data_store"


@task()
def check_data_store(job_id: str) -> dict[str, Any] | None:
    """Checksum every file in the data store (settings.DATA_DIR), as job `job_id`."""
    return run_job(job_id, data_store_check)


def data_store_check(progress: ProgressReporter) -> dict[str, Any]:
    """Checksum the data store, write a manifest under var/checksums/, compare with the last check."""
    root = Path(settings.DATA_DIR)
    if not root.is_dir():
        raise JobError(
            f"There is no data store folder at {root}. Check the WHOLEFAMILY_DATA_DIR setting, "
            "or import a data set first."
        )
    previous = _last_fingerprint()
    manifest = Path(settings.VAR_DIR) / "checksums" / f"data-store-{timezone.now():%Y%m%dT%H%M%S%fZ}.sha256"
    summary = checksum_tree(root, progress=progress, manifest_path=manifest)
    summary["previous_fingerprint"] = previous
    summary["is_unchanged_since_last_check"] = previous is not None and previous == summary["fingerprint"]
    return summary


def _last_fingerprint() -> str | None:
    """The fingerprint of the last successful check, whoever ran it (a system read, not a user's)."""
    last = (
        Job.objects.filter(kind=CHECK_DATA_STORE, status=Job.Status.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("result", flat=True)
        .first()
    )
    fingerprint = last.get("fingerprint") if isinstance(last, dict) else None
    return fingerprint if isinstance(fingerprint, str) else None
