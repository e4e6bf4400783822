"""Background task: compute one claim window's claims as job `job_id` (started from the claims pages)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.http import urlencode
from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.jobs.services import JobError, run_job

COMPUTE_CLAIMS = "compute_claims"


def compute_work(
    programme: str, window: str, sample_percent: str, seed: int, user_id: int | None, progress: ProgressReporter
) -> dict[str, Any]:
    """The window's claims from the current linkage run (the same service as `wholefamily claims`), then the
    spot-check sample when a percentage is given."""
    from wholefamily.claims.models import Claim
    from wholefamily.claims.services import ClaimsError, compute_claims, draw_spot_check
    from wholefamily.identification.engine.snapshot import SnapshotError

    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    progress.start(None, f"Evaluating the results rules for {programme} window {window}")
    try:
        run, _ = compute_claims(programme=programme, window=window, by=user)
    except (ClaimsError, SnapshotError) as error:
        raise JobError(f"The claims could not be computed: {error}.") from None
    sampled = 0
    if sample_percent:
        progress.set_message("Drawing the spot-check sample")
        sampled = len(draw_spot_check(programme=programme, window=window, percent=Decimal(sample_percent),
                                      seed=seed, by=user))  # fmt: skip
    claims = Claim.objects.filter(programme=programme, window=window)
    return {
        "claim_run": run.pk,
        "families_evaluated": run.families,
        "claims": claims.count(),
        "spot_check_sample": sampled,
        "report": reverse("claims:list") + "?" + urlencode({"scope": f"{programme}/{window}"}),
        "report_text": "See the window's claims",
    }


@task()
def compute_window(
    job_id: str, programme: str, window: str, sample_percent: str, seed: int, user_id: int | None
) -> dict[str, Any] | None:
    """Compute the claims of `programme`'s window `window` as job `job_id`."""
    return run_job(job_id, lambda progress: compute_work(programme, window, sample_percent, seed, user_id, progress))
