"""Background task: one identification run as job `job_id` (started from the web or after a new linkage run)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.jobs.services import run_job

IDENTIFY = "identify"


def identify_work(
    programme: str, as_of: str, snapshot: str, engine: str, user_id: int | None, progress: ProgressReporter
) -> dict[str, Any]:
    from wholefamily.identification.services import identify_families

    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    run = identify_families(
        programme=programme,
        as_of_on=dt.date.fromisoformat(as_of),
        snapshot_dir=Path(snapshot),
        engine=engine,
        by=user,
        progress=progress,
    )
    return {
        "message": run.message,
        "newly_qualifying": run.newly_qualifying,
        "no_longer_qualifying": run.no_longer_qualifying,
        "report": f"/identification/runs/{run.pk}/",
    }


@task()
def identify(
    job_id: str, programme: str, as_of: str, snapshot: str, engine: str, user_id: int | None
) -> dict[str, Any] | None:
    """Run identification for `programme` as of `as_of` over `snapshot` and record it."""
    return run_job(job_id, lambda progress: identify_work(programme, as_of, snapshot, engine, user_id, progress))


def start_identification(
    *, programme: str, as_of_on: dt.date, by: Any, engine: str = "duckdb", snapshot_dir: Path | None = None
) -> Any:
    """Queue an identification run as a background job (continuous identification: after each new linkage run
    the programme team starts one, and the newly qualifying families appear as "new" in the cohort)."""
    from wholefamily.identification.services import current_snapshot_dir, load_programme_definition
    from wholefamily.jobs.services import start_job

    definition = load_programme_definition(programme)
    snapshot = snapshot_dir or current_snapshot_dir()
    return start_job(
        kind=IDENTIFY,
        title=f"Identify families: {definition.label} as of {as_of_on}",
        task=identify,
        args={
            "programme": programme,
            "as_of": as_of_on.isoformat(),
            "snapshot": str(snapshot),
            "engine": engine,
            "user_id": getattr(by, "pk", None),
        },
        by=by,
    )
