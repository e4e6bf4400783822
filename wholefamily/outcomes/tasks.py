"""Background task: measure a programme's outcomes as of a date, as job `job_id` (started from the outcomes pages)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.jobs.services import JobError, run_job

MEASURE_OUTCOMES = "measure_outcomes"


def measure_work(programme: str, as_of: str, user_id: int | None, progress: ProgressReporter) -> dict[str, Any]:
    """Evaluate the programme's outcomes framework for its families (the same service as `wholefamily outcomes`)."""
    from wholefamily.identification.engine.snapshot import SnapshotError
    from wholefamily.outcomes.measuring import OutcomesRunError, measure_outcomes

    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    progress.start(None, f"Measuring the outcomes of {programme} as of {dt.date.fromisoformat(as_of):%-d %B %Y}")
    try:
        run, measurement = measure_outcomes(programme=programme, as_of_on=dt.date.fromisoformat(as_of), by=user)
    except (OutcomesRunError, SnapshotError) as error:
        raise JobError(f"The outcomes could not be measured: {error}.") from None
    counts = Counter(item.result.status.label for item in measurement.results)
    return {
        "outcome_run": run.pk,
        "families_measured": run.families,
        **{f"results_{label.lower().replace(' ', '_')}": count for label, count in sorted(counts.items())},
        "report": reverse("outcomes:report"),
        "report_text": "See who is better off",
    }


@task()
def measure(job_id: str, programme: str, as_of: str, user_id: int | None) -> dict[str, Any] | None:
    """Measure `programme`'s outcomes as of `as_of` as job `job_id`."""
    return run_job(job_id, lambda progress: measure_work(programme, as_of, user_id, progress))
