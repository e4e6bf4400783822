"""Background task: one linkage run as job `job_id` (started from the linkage runs page)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.jobs.services import JobError, run_job

RUN_LINKAGE = "run_linkage"


def linkage_work(engine: str, user_id: int | None, progress: ProgressReporter) -> dict[str, Any]:
    """Link every current dataset version (the same service as `wholefamily link`), as the user who asked."""
    from wholefamily.linkage.services import LinkageError, run_linkage

    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    try:
        run = run_linkage(by=user, engine="spark" if engine == "spark" else "duckdb", progress=progress)
    except LinkageError as error:
        raise JobError(str(error)) from None
    figures = run.figures
    return {
        "outcome": "Linked" if run.status == run.Status.SUCCEEDED else run.get_status_display(),
        "outcome_tone": "success" if run.status == run.Status.SUCCEEDED else "failure",
        "linkage_run": run.run_id,
        "message": run.message,
        "records": figures.get("records"),
        "persons": figures.get("persons"),
        "households": figures.get("households"),
        "pairs_for_review": figures.get("review_pairs"),
        "report": reverse("linkage:run_list") + f"#run-{run.run_id}",
        "report_text": "See the run's figures",
    }


@task()
def link_records(job_id: str, engine: str, user_id: int | None) -> dict[str, Any] | None:
    """Run linkage over the current dataset versions as job `job_id`."""
    return run_job(job_id, lambda progress: linkage_work(engine, user_id, progress))
