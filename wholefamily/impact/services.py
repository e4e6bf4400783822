"""Running an impact analysis and keeping its results (ADR 0023).

Worked-with families: the cases on the programme with a linked household, from the day each was opened (or a file).
Comparison pool: the families of the latest identification run that met the criteria and are not worked with (or a
file). A comparison family has no start, so it is compared from a start date drawn, reproducibly from `seed`, from
the worked-with families' starts: both are then read over the same calendar.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.progress import NullProgress, ProgressReporter
from wholefamily.governance.audit import record
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.impact.engine.estimate import ImpactResult, estimate
from wholefamily.impact.engine.panel import FamilyStart, OutcomeSet, build_panel, load_outcomes
from wholefamily.impact.models import ImpactEffect, ImpactRun, SavingsRun


class ImpactError(Exception):
    """The analysis cannot run: no snapshot, no families, a malformed file."""


def outcomes_path() -> Path:
    return Path(settings.DEFINITIONS_DIR) / "impact" / "outcomes.yaml"


def outcome_set() -> OutcomeSet:
    return load_outcomes(outcomes_path())


def worked_with_from_cases() -> dict[str, dt.date]:
    from wholefamily.cases.models import Case

    started: dict[str, dt.date] = {}
    for household_id, opened_on in Case.objects.exclude(household_id="").values_list("household_id", "opened_on"):
        if household_id not in started or opened_on < started[household_id]:
            started[household_id] = opened_on
    return started


def pool_from_identification() -> list[str]:
    from wholefamily.identification.models import CohortFamily, IdentificationRun

    run = IdentificationRun.objects.filter(status=IdentificationRun.Status.SUCCEEDED).order_by("-finished_at").first()
    if run is None:
        return []
    return sorted(set(CohortFamily.objects.filter(run=run).values_list("household_id", flat=True)))


def read_worked_with(path: Path) -> dict[str, dt.date]:
    """CSV household_id,start_on."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return {row["household_id"].strip(): dt.date.fromisoformat(row["start_on"].strip()) for row in rows}
    except (OSError, KeyError, ValueError) as error:
        raise ImpactError(f"{path}: needs household_id,start_on on every row ({error})") from None


def read_pool(path: Path) -> list[str]:
    """CSV with a household_id column."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return sorted({row["household_id"].strip() for row in csv.DictReader(handle)})
    except (OSError, KeyError) as error:
        raise ImpactError(f"{path}: needs a household_id column ({error})") from None


def families_for(worked: dict[str, dt.date], pool: list[str], *, seed: int) -> list[FamilyStart]:
    """Worked-with families from their start; the rest of the pool from a start drawn from theirs."""
    if not worked:
        raise ImpactError("no worked-with families with a linked household")
    starts = sorted(worked.values())
    comparison = [household for household in pool if household not in worked]
    rng = np.random.default_rng(seed)
    drawn = rng.integers(len(starts), size=len(comparison))
    return [
        *(FamilyStart(household, start, True) for household, start in sorted(worked.items())),
        *(FamilyStart(household, starts[index], False) for household, index in zip(comparison, drawn, strict=True)),
    ]


def analyse(snapshot: Snapshot, families: list[FamilyStart], *, seed: int = 0) -> ImpactResult:
    """The analysis itself, without storing it (the tests and the bench call this)."""
    outcomes = outcome_set()
    panel = build_panel(snapshot, families, outcomes, contracts=load_contract_set(Path(settings.DEFINITIONS_DIR)))
    result = estimate(panel, seed=seed)
    result.seconds += panel.seconds
    return result


def run_impact(
    *,
    snapshot_dir: Path | None = None,
    worked: dict[str, dt.date] | None = None,
    pool: list[str] | None = None,
    seed: int = 0,
    by: Any = None,
    progress: ProgressReporter | None = None,
) -> ImpactRun:
    """Analyse and store the run with its effects, audited."""
    from wholefamily.outcomes.measuring import OutcomesRunError, current_snapshot_dir

    progress = progress or NullProgress()
    progress.start(3, "Finding the worked-with families and the comparison pool")
    try:
        directory = snapshot_dir or current_snapshot_dir()
    except OutcomesRunError as error:
        raise ImpactError(str(error)) from None
    snapshot = Snapshot.open(directory, datasets_root=Path(settings.DATA_DIR) / "datasets")
    worked = worked_with_from_cases() if worked is None else worked
    pool = pool_from_identification() if pool is None else pool
    families = families_for(worked, pool, seed=seed)
    progress.advance(1)
    progress.set_message(f"Matching {len(worked):,} worked-with families and estimating each outcome")
    try:
        result = analyse(snapshot, families, seed=seed)
    except ValueError as error:
        raise ImpactError(str(error)) from None
    progress.advance(1)
    progress.set_message("Keeping the analysis")
    outcomes = outcome_set()
    with transaction.atomic():
        run = ImpactRun.objects.create(
            outcomes_definition=f"{outcomes.name}@{outcomes.version}",
            snapshot=str(directory),
            seed=seed,
            worked_with=result.worked_with,
            pool=result.pool,
            matched=result.matched,
            unmatched=result.unmatched,
            comparison_used=result.comparison_used,
            balance=[vars(item) for item in result.balance],
            trends={code: [list(point) for point in series] for code, series in result.trends.items()},
            seconds=result.seconds,
            started_by=by,
            started_at=timezone.now(),
        )
        ImpactEffect.objects.bulk_create(ImpactEffect(run=run, **vars(effect)) for effect in result.effects)
        record(
            by=by,
            action="impact.analyse",
            obj=run,
            detail={"worked_with": result.worked_with, "pool": result.pool, "matched": result.matched},
            system_actor="" if by else "system:impact",
        )
    progress.advance(1)
    return run


def unit_costs_path() -> Path:
    return Path(settings.DEFINITIONS_DIR) / "impact" / "unit-costs.yaml"


def potential_path() -> Path:
    return Path(settings.DEFINITIONS_DIR) / "impact" / "potential-savings.yaml"


def budget_spend(starts: dict[str, dt.date], *, days: int = 365) -> tuple[float, int]:
    """The programme cost from the budget lines: the approved personalised budget spend (ADR 0006) of the cases of
    these households entered in each family's period (the 365 days from its start, the window its savings are costed
    over), in pounds, and how many lines it sums. Funds put in and spends not approved are not costs."""
    from wholefamily.cases.models import BudgetLine
    from wholefamily.domain.pathway import LedgerKind, LedgerStatus

    lines = BudgetLine.objects.filter(kind=LedgerKind.SPEND, status=LedgerStatus.APPROVED).exclude(
        case__household_id=""
    )
    pence, count = 0, 0
    for household_id, entered_on, amount in lines.values_list("case__household_id", "entered_on", "amount_pence"):
        start = starts.get(household_id)
        if start is not None and start <= entered_on < start + dt.timedelta(days=days):
            pence, count = pence + amount, count + 1
    return pence / 100, count


def run_savings(
    *,
    snapshot_dir: Path | None = None,
    worked: dict[str, dt.date] | None = None,
    sample_share: float = 1.0,
    seed: int = 0,
    programme_cost: float | None = None,
    optimism_bias: float = 0.4,
    unit_costs: Path | None = None,
    unit_cost_set: Any = None,
    by: Any = None,
    progress: ProgressReporter | None = None,
) -> SavingsRun:
    """Cost each worked-with family's service use 12 months before and after its start; store it, audited. The
    programme cost is the one given, else the costed families' approved budget spend over their period."""
    from wholefamily.impact.engine.potential import load_potential, potential_savings
    from wholefamily.impact.engine.savings import (
        UnitCostError,
        contract_problems,
        cost_benefit,
        cost_savings,
        load_unit_costs,
        sample,
        service_use,
    )
    from wholefamily.outcomes.measuring import OutcomesRunError, current_snapshot_dir

    progress = progress or NullProgress()
    progress.start(3, "Reading the unit costs and the linked data")
    if not 0 < sample_share <= 1:
        raise ImpactError("the sample share is more than 0 and at most 1")
    try:
        if unit_cost_set is not None:
            from wholefamily.impact.unit_costs import unit_costs_of

            costs = unit_costs_of(unit_cost_set)
        else:
            costs = load_unit_costs(unit_costs or unit_costs_path())
        problems = contract_problems(costs, load_contract_set(Path(settings.DEFINITIONS_DIR)))
        if problems:
            raise UnitCostError("; ".join(problems))
        method = load_potential(potential_path(), costs)
        directory = snapshot_dir or current_snapshot_dir()
    except (UnitCostError, OutcomesRunError) as error:
        raise ImpactError(str(error)) from None
    snapshot = Snapshot.open(directory, datasets_root=Path(settings.DATA_DIR) / "datasets")
    worked = worked_with_from_cases() if worked is None else worked
    if not worked:
        raise ImpactError("no worked-with families with a linked household")
    chosen = sample(list(worked), sample_share, seed=seed)
    progress.advance(1)
    progress.set_message(f"Costing {len(chosen):,} families' service use before and after their start")
    use = service_use(
        snapshot, {h: worked[h] for h in chosen}, costs, contracts=load_contract_set(Path(settings.DEFINITIONS_DIR))
    )
    savings = cost_savings(use, costs)
    progress.advance(1)
    progress.set_message("Keeping the savings and the cost-benefit")
    if programme_cost is not None and programme_cost < 0:
        raise ImpactError("the programme cost is a sum of pounds, not less than 0")
    lines, cost_from = 0, "given"
    if programme_cost is None:
        programme_cost, lines = budget_spend({h: worked[h] for h in chosen})
        cost_from = "budget"
    try:
        benefit = cost_benefit(savings, programme_cost=programme_cost, optimism_bias=optimism_bias)
    except ValueError as error:
        raise ImpactError(str(error)) from None
    by_cost = []
    for cost in costs.costs:
        rows = [row for row in savings.rows if row["cost"] == cost.code]
        by_cost.append(
            {
                "cost": cost.code,
                "label": cost.label,
                "agency": cost.agency,
                "type": cost.type,
                "unit": cost.unit,
                "unit_cost": costs.uprated(cost),
                "source": cost.source,
                "verified": cost.verified,
                "before": sum(row["before"] for row in rows),
                "after": sum(row["after"] for row in rows),
                "cost_before": sum(row["cost_before"] for row in rows),
                "cost_after": sum(row["cost_after"] for row in rows),
            }
        )
    with transaction.atomic():
        run = SavingsRun.objects.create(
            unit_costs=f"{costs.name}@{costs.version}",
            price_base_year=costs.price_base_year,
            snapshot=str(directory),
            sample_share=sample_share,
            seed=seed,
            families=savings.families,
            total_before=savings.total_before,
            total_after=savings.total_after,
            by_type=savings.by_type,
            by_problem=savings.by_problem,
            by_agency=savings.by_agency,
            by_family=savings.by_family,
            by_cost=by_cost,
            programme_cost=benefit.programme_cost,
            programme_cost_from=cost_from,
            budget_lines=lines,
            optimism_bias=benefit.optimism_bias,
            unverified=costs.unverified + ([] if costs.deflator_verified else ["deflator"]),
            potential_method=f"{method.name}@{method.version}",
            potential=potential_savings(savings.rows, method, costs),
            started_by=by,
            started_at=timezone.now(),
        )
        record(
            by=by,
            action="impact.savings",
            obj=run,
            detail={
                "families": savings.families,
                "sample_share": sample_share,
                "seed": seed,
                "programme_cost_from": cost_from,
            },
            system_actor="" if by else "system:savings",
        )
    progress.advance(1)
    return run
