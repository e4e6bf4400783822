"""Background task: import one uploaded delivery as job `job_id` (the web's upload page starts it)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.ingest.models import ImportRun
from wholefamily.ingest.services import fail_import_run, run_import
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import run_job, start_job

IMPORT_DELIVERY = "import_delivery"
# How each ending reads on the job's page: a file already imported is not a success (nothing new was stored).
OUTCOME_TONES = {
    ImportRun.Status.ACCEPTED: "success",
    ImportRun.Status.DUPLICATE: "warning",
    ImportRun.Status.REJECTED: "failure",
}


def save_upload(upload: UploadedFile) -> Path:
    """Keep an uploaded file where its import job reads it (a folder of its own, removed when the job ends)."""
    folder = Path(settings.DATA_DIR) / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    name = Path(upload.name or "").name.replace("/", "_") or "upload"
    if len(name.encode()) > 200:  # a file system's names stop at 255 bytes; the run keeps the name as sent
        name = "upload" + Path(name).suffix[-20:]
    path = folder / name
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


def start_import(*, run: ImportRun, upload: Path, by: User) -> Job:
    """Start the background job that imports the delivery saved at `upload` for `run`: the one job the upload page
    and the API's deliveries both start."""
    job = start_job(
        kind=IMPORT_DELIVERY,
        title=f"Import {run.file_name} as {run.kind.replace('_', ' ')}",
        task=import_delivery,
        args={"run_id": str(run.pk), "upload_path": str(upload), "user_id": by.pk},
        by=by,
    )
    ImportRun.objects.filter(pk=run.pk).update(job_id=str(job.pk))
    run.job_id = str(job.pk)
    return job


@task()
def import_delivery(job_id: str, run_id: str, upload_path: str, user_id: int | None) -> dict[str, Any] | None:
    """Validate and store the uploaded file for import run `run_id`; the upload is deleted afterwards."""
    return run_job(job_id, lambda progress: import_uploaded(run_id, Path(upload_path), user_id, progress))


def import_uploaded(run_id: str, upload: Path, user_id: int | None, progress: ProgressReporter) -> dict[str, Any]:
    run = ImportRun.objects.get(pk=run_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    try:
        run = run_import(run=run, path=upload, by=user, progress=progress)
    except Exception as error:
        fail_import_run(
            run=run, message=f"The import stopped because of an unexpected error ({type(error).__name__}).", by=user
        )
        raise
    finally:
        shutil.rmtree(upload.parent, ignore_errors=True)
    result: dict[str, Any] = {
        "outcome": run.get_status_display(),
        "outcome_tone": OUTCOME_TONES.get(ImportRun.Status(run.status), "failure"),
        "message": run.message,
        "rows_read": run.rows_read,
        "rows_accepted": run.rows_accepted,
        "rows_bad": run.rows_bad,
    }
    if run.dataset_version is not None:
        result["dataset_version"] = run.dataset_version.version_id
    result["report"] = reverse("ingest:run_detail", args=[run.pk])
    result["report_text"] = "Read the validation report"
    return result
