"""Background task: build an extract as job `job_id` (started from the extracts page or the API, ADR 0003)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_tasks import task

from wholefamily.domain.extracts import ExtractDefinitionError
from wholefamily.domain.progress import ProgressReporter
from wholefamily.jobs.services import JobError, run_job, starter

BUILD_EXTRACT = "build_extract"


def build_work(job_id: str | None, code: str, user_id: int, progress: ProgressReporter) -> dict[str, Any]:
    from wholefamily.extracts.services import ExtractError, build_extract
    from wholefamily.jobs.models import Job

    user = starter(user_id, asked_for="the extract")
    job = Job.objects.filter(pk=job_id).first() if job_id else None
    try:
        extract = build_extract(code=code, by=user, job=job, progress=progress)
    except PermissionDenied as error:
        raise JobError(str(error) or "You may not build extracts.") from None
    except (ExtractError, ExtractDefinitionError) as error:
        raise JobError(str(error)) from None
    return {
        "extract_id": extract.pk,
        "families": extract.rows,
        "sha256": extract.sha256,
        "report": reverse("extracts:extract", args=[extract.pk]),
        "report_text": "Open the extract",
    }


@task()
def build(job_id: str, code: str, user_id: int) -> dict[str, Any] | None:
    """Build the extract of definition `code` for user `user_id` as job `job_id`."""
    return run_job(job_id, lambda progress: build_work(job_id, code, user_id, progress))


def start_build(*, code: str, title: str, by: Any) -> Any:
    """Queue a build of extract `code` as a background job; the job's result names the extract when it is built."""
    from wholefamily.jobs.services import start_job

    return start_job(kind=BUILD_EXTRACT, title=f"Build the extract: {title}", task=build,
                     args={"code": code, "user_id": by.pk}, by=by)  # fmt: skip
