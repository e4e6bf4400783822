"""Background tasks: the impact analysis and the savings run as jobs with their progress (started from the impact
and savings pages, ADR 0003, ADR 0029)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_tasks import task

from wholefamily.domain.progress import ProgressReporter
from wholefamily.jobs.services import JobError, run_job, starter

RUN_IMPACT = "run_impact"
RUN_SAVINGS = "run_savings"


def _user(user_id: int) -> Any:
    return starter(user_id, asked_for="the run")


def impact_work(seed: int, user_id: int, progress: ProgressReporter) -> dict[str, Any]:
    """The same analysis as `wholefamily impact`, over the current linkage run, stored and audited."""
    from wholefamily.identification.engine.snapshot import SnapshotError
    from wholefamily.impact.services import ImpactError, run_impact

    try:
        run = run_impact(seed=seed, by=_user(user_id), progress=progress)
    except (ImpactError, SnapshotError) as error:
        raise JobError(f"The impact could not be analysed: {error}.") from None
    return {
        "worked_with_families": run.worked_with,
        "matched": run.matched,
        "report": reverse("impact:report"),
        "report_text": "See the impact against comparison families",
    }


def savings_work(
    sample_share: float,
    seed: int,
    programme_cost: float | None,
    optimism_bias: float,
    unit_cost_set_id: int | None,
    user_id: int,
    progress: ProgressReporter,
) -> dict[str, Any]:
    """The same run as `wholefamily savings`, with the unit cost set chosen (the starter set when none)."""
    from wholefamily.identification.engine.snapshot import SnapshotError
    from wholefamily.impact.models import UnitCostSet
    from wholefamily.impact.services import ImpactError, run_savings

    chosen = None
    if unit_cost_set_id is not None:
        chosen = UnitCostSet.objects.filter(pk=unit_cost_set_id).first()
        if chosen is None:
            raise JobError("The unit cost set chosen is no longer kept.")
    try:
        run = run_savings(sample_share=sample_share, seed=seed, programme_cost=programme_cost,
                          optimism_bias=optimism_bias, unit_cost_set=chosen, by=_user(user_id),
                          progress=progress)  # fmt: skip
    except (ImpactError, SnapshotError) as error:
        raise JobError(f"The savings could not be costed: {error}.") from None
    return {
        "families_costed": run.families,
        "unit_costs": run.unit_costs,
        "report": reverse("impact:savings"),
        "report_text": "See the savings and cost-benefit",
    }


@task()
def analyse_impact(job_id: str, seed: int, user_id: int) -> dict[str, Any] | None:
    return run_job(job_id, lambda progress: impact_work(seed, user_id, progress))


@task()
def cost_savings(
    job_id: str,
    sample_share: float,
    seed: int,
    programme_cost: float | None,
    optimism_bias: float,
    unit_cost_set_id: int | None,
    user_id: int,
) -> dict[str, Any] | None:
    return run_job(
        job_id,
        lambda progress: savings_work(
            sample_share, seed, programme_cost, optimism_bias, unit_cost_set_id, user_id, progress
        ),
    )
