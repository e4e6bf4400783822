"""Writes for results claims: compute a window's claims from the linked data (draft, with evidence packs), move a
claim between states (audited with who and why), draw the spot-check sample. Every change is audited in its
transaction."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wholefamily.cases.models import Assessment, Case, Plan
from wholefamily.claims.definitions import available_funding, funding_definition, results_rules
from wholefamily.claims.engine import Evaluated, evaluate_families
from wholefamily.claims.models import Claim, ClaimRun, ClaimStateChange, EvaluatedFamily
from wholefamily.domain.claims.funding import FundingError, results_payment_pence
from wholefamily.domain.claims.rules import ResultsRules, Status, why_not_payable
from wholefamily.domain.claims.sampling import spot_check_sample
from wholefamily.domain.claims.states import ClaimState, MoveError, check_move
from wholefamily.domain.criteria.schema import DefinitionError
from wholefamily.domain.outcomes.framework import Framework
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.identification.models import CohortFamily, IdentificationRun
from wholefamily.identification.services import IdentificationError, contracts, load_programme_definition
from wholefamily.ingest.selectors import declared_coverage
from wholefamily.outcomes.engine import FamilyStart
from wholefamily.outcomes.measuring import (
    OutcomesRunError,
    current_snapshot_dir,
    distance_scores,
    families_from_cases,
    load_framework_for,
)


class ClaimsError(Exception):
    """The claims cannot be computed: unknown programme or window, no snapshot."""


def _problems_at_identification(programme: str, families: list[FamilyStart]) -> dict[str, frozenset[str]]:
    """The headline problems each family had when it came onto the programme: those of the identification in force
    at its start (the latest finished run as of the start or before in which its household qualified), else of the
    first later run in which it qualified (the one that put it on). A later run in which it no longer qualifies never
    counts. Filters that are not headline problems (the 2012 local discretion filter, an expectant parent) are left
    out: results are paid on headline problems."""
    try:
        counted = set(load_programme_definition(programme).counted_problems)
    except (DefinitionError, FileNotFoundError, IdentificationError):
        counted = None
    by_household: dict[str, list[FamilyStart]] = defaultdict(list)
    for family in families:
        by_household[family.household_id].append(family)
    runs: dict[str, list[tuple[dt.date, float, frozenset[str]]]] = defaultdict(list)
    rows = CohortFamily.objects.filter(
        run__programme=programme,
        run__status=IdentificationRun.Status.SUCCEEDED,
        household_id__in=list(by_household),
        is_qualifying=True,
    ).values_list("household_id", "run__as_of_on", "run__started_at", "problems_met")
    for household_id, as_of_on, started_at, problems_met in rows:
        codes = frozenset(code for code in problems_met.split(";") if code and (counted is None or code in counted))
        runs[household_id].append((as_of_on, started_at.timestamp(), codes))
    found: dict[str, frozenset[str]] = {}
    for household_id, items in runs.items():
        items.sort(key=lambda item: (item[0], item[1]))
        for family in by_household[household_id]:
            in_force = [item for item in items if item[0] <= family.start_on]
            chosen = in_force[-1] if in_force else items[0]
            found[family.family_id] = chosen[2]
    return found


def _case_holds(cases: dict[str, Case]) -> dict[str, frozenset[str]]:
    """What each family's case holds of what a claim may need: a lead worker, a whole-family assessment, a plan."""
    if not cases:
        return {}
    pks = [case.pk for case in cases.values()]
    assessed = set(Assessment.objects.filter(case_id__in=pks).values_list("case_id", flat=True))
    planned = set(Plan.objects.filter(case_id__in=pks).values_list("case_id", flat=True))
    holds = {}
    for family_id, case in cases.items():
        items = {"lead_worker"} if case.key_worker_id else set()
        items |= {"whole_family_assessment"} if case.pk in assessed else set()
        items |= {"plan"} if case.pk in planned else set()
        holds[family_id] = frozenset(items)
    return holds


def _claimed(programme: str, window: str) -> tuple[dict[str, frozenset[str]], dict[str, int]]:
    """Results already claimed for each family (in any state but rejected; this window's drafts, which are being
    replaced, left out) and the money they carry."""
    results: dict[str, set[str]] = defaultdict(set)
    amounts: dict[str, int] = defaultdict(int)
    for family_id, codes, amount in (
        Claim.objects.filter(programme=programme)
        .exclude(state=ClaimState.REJECTED)
        .exclude(window=window, state=ClaimState.DRAFT)
        .values_list("family_id", "results", "amount_pence")
    ):
        results[family_id].update(codes)
        amounts[family_id] += amount
    return {key: frozenset(value) for key, value in results.items()}, dict(amounts)


def _goal(goal: Any) -> dict[str, Any]:
    return {
        "description": goal.description,
        "agency": goal.agency,
        "due_on": goal.due_on.isoformat(),
        "is_achieved": goal.is_achieved,
    }


def _case_pack(case: Case | None) -> dict[str, Any]:
    """The case's part of the evidence pack: lead professional, latest assessment, the plan and its goals."""
    if case is None:
        return {}
    worker = case.key_worker
    assessment = case.assessments.order_by("-assessed_on", "-pk").first()
    plan = getattr(case, "plan", None)
    return {
        "reference": case.reference,
        "family_name": case.family_name,
        "team": case.team.name,
        "lead_professional": (worker.get_full_name() or worker.get_username()) if worker else "",
        "opened_on": case.opened_on.isoformat(),
        "plan_agreed_on": case.plan_agreed_on.isoformat() if case.plan_agreed_on else "",
        "closed_on": case.closed_on.isoformat() if case.closed_on else "",
        "assessment": {
            "assessed_on": assessment.assessed_on.isoformat(),
            "definition": assessment.definition,
            "summary": assessment.summary,
            "scores": {score.domain: score.score for score in assessment.scores.all()},
        }
        if assessment
        else {},
        "plan": {
            "agreed_on": plan.agreed_on.isoformat(),
            "version": plan.version,
            "aims": plan.aims,
            "goals": [
                {
                    "description": goal.description,
                    "agency": goal.agency,
                    "due_on": goal.due_on.isoformat(),
                    "is_achieved": goal.is_achieved,
                }
                for goal in plan.goals.all()
            ],
        }
        if plan
        else {},
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _labelled(value: Any) -> Any:
    """The results as data, each status with the word an auditor reads beside it (status_label)."""
    if isinstance(value, dict):
        out = {key: _labelled(item) for key, item in value.items()}
        if isinstance(value.get("status"), Status):
            out["status_label"] = value["status"].label
        return out
    if isinstance(value, list | tuple):
        return [_labelled(item) for item in value]
    return value


def evidence_pack(
    *, rules: ResultsRules, item: Evaluated, window: str, funding: str, snapshot: str, case: Case | None
) -> dict[str, Any]:
    """Exactly what a spot check asks for: the rule version, each condition with its status, the period it looked
    at, its before and after values and the source records behind them, why the family is not paid (when it is
    not), the case's assessment, plan and lead professional."""
    pack: dict[str, Any] = _jsonable(
        {
            "rules": rules.label,
            "funding": funding,
            "window": window,
            "as_of": item.outcome.as_of,
            "family_id": item.family.family_id,
            "household_id": item.family.household_id,
            "start_on": item.family.start_on,
            "end_on": item.family.end_on,
            "problems_at_identification": sorted(item.problems),
            "snapshot": snapshot,
            "results": [_labelled(asdict(result)) for result in item.outcome.results],
            "payable": list(item.outcome.payable),
            "why_not_payable": why_not_payable(item.outcome),
            "case": _case_pack(case),
        }
    )
    return pack


def compute_claims(
    *,
    programme: str,
    window: str,
    by: Any,
    snapshot_dir: Path | None = None,
    datasets_root: Path | None = None,
    families: list[FamilyStart] | None = None,
    problems: dict[str, frozenset[str]] | None = None,
    engine: str = "duckdb",
) -> tuple[ClaimRun, list[Evaluated]]:
    """A window's claims: every family on the programme evaluated against the results rules as of the window's
    date; a draft claim, with its evidence pack, for each family with a payable result not claimed before. The
    window's earlier drafts are replaced; claims already validated or further are kept. `families` and `problems`
    (at identification) default to the cases on the programme and the identification runs that found them."""
    try:
        rules = results_rules(programme)
        claim_window = rules.window(window)
        funding = funding_definition(programme) if programme in available_funding() else None
        framework: Framework | None = load_framework_for(rules.framework) if rules.framework else None
        directory = snapshot_dir or current_snapshot_dir()
    except (DefinitionError, FundingError, OutcomesRunError) as error:
        raise ClaimsError(str(error)) from None
    snapshot = Snapshot.open(directory, datasets_root=datasets_root or Path(settings.DATA_DIR) / "datasets")
    cases: dict[str, Case] = {}
    if families is None:
        families, cases = families_from_cases(programme)
    started = time.perf_counter()
    claimed, paid = _claimed(programme, window)
    declared = declared_coverage(versions=snapshot.dataset_versions())
    # The data plane runs outside the transaction: no database lock is held while the engine reads the snapshot.
    evaluated, _ = evaluate_families(
        rules,
        framework=framework,
        families=families,
        problems=problems if problems is not None else _problems_at_identification(programme, families),
        claimed=claimed,
        as_of=claim_window.as_of,
        snapshot=snapshot,
        contracts=contracts(),
        engine=engine,
        distance=distance_scores(cases),
        declared_to=declared,
        case_holds=_case_holds(cases),
    )
    with transaction.atomic():
        Claim.objects.filter(programme=programme, window=window, state=ClaimState.DRAFT).delete()
        now = timezone.now()
        run = ClaimRun.objects.create(
            programme=programme,
            window=window,
            as_of_on=claim_window.as_of,
            rules=rules.label,
            funding=f"{funding.code} v{funding.version}" if funding else "",
            snapshot=str(directory),
            engine=engine,
            families=len(families),
            seconds=time.perf_counter() - started,
            started_by=by,
            started_at=now,
        )
        claims = []
        # A family whose claim in this window an auditor has already moved on (validated, rejected, ...) keeps it:
        # the window's reference is that claim's, and a rejected claim is not drafted again in the same window.
        decided = set(
            Claim.objects.filter(programme=programme, window=window)
            .exclude(state=ClaimState.DRAFT)
            .values_list("family_id", flat=True)
        )
        for item in evaluated:
            payable = list(item.outcome.payable)
            if not payable or item.family.family_id in decided:
                continue
            amount = 0
            if funding is not None:
                amount = results_payment_pence(
                    funding=funding,
                    started_on=item.family.start_on,
                    results=payable,
                    paid_before_pence=paid.get(item.family.family_id, 0),
                )
            case = cases.get(item.family.family_id)
            claims.append(
                Claim(
                    run=run,
                    programme=programme,
                    window=window,
                    reference=f"{programme}/{window}/{item.family.family_id}",
                    case=case,
                    family_id=item.family.family_id,
                    household_id=item.family.household_id,
                    results=payable,
                    amount_pence=amount,
                    state=ClaimState.DRAFT,
                    evidence=evidence_pack(
                        rules=rules, item=item, window=window, funding=run.funding, snapshot=run.snapshot, case=case
                    ),
                    state_changed_at=now,
                    state_changed_by=by,
                )
            )
        Claim.objects.bulk_create(claims, batch_size=500)
        EvaluatedFamily.objects.filter(programme=programme, window=window).delete()  # the window's last run stands
        EvaluatedFamily.objects.bulk_create(
            [
                EvaluatedFamily(
                    run=run,
                    programme=programme,
                    window=window,
                    case=cases.get(item.family.family_id),
                    family_id=item.family.family_id,
                    household_id=item.family.household_id,
                    results=list(item.outcome.payable),
                    why_not_payable=why_not_payable(item.outcome),
                    evidence=evidence_pack(
                        rules=rules,
                        item=item,
                        window=window,
                        funding=run.funding,
                        snapshot=run.snapshot,
                        case=cases.get(item.family.family_id),
                    ),
                )
                for item in evaluated
            ],
            batch_size=500,
        )
        record(
            by=by,
            action="claims.compute",
            obj=run,
            detail={"rules": rules.label, "window": window, "families": len(families), "claims": len(claims)},
        )
    return run, evaluated


def change_claim_state(*, claim: Claim, to: ClaimState, reason: str, by: Any) -> Claim:
    """Move a claim (draft -> validated -> submitted -> paid, or rejected), checked against the state machine and
    the user's roles; the change and the audit event in one transaction."""
    denied: MoveError | None = None
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        source = ClaimState(locked.state)
        try:
            check_move(source=source, target=to, roles=access.user_roles(by), reason=reason)
        except MoveError as error:
            denied = error
        else:
            now = timezone.now()
            locked.state = to.value
            locked.state_changed_at = now
            locked.state_changed_by = by
            locked.save(update_fields=["state", "state_changed_at", "state_changed_by"])
            ClaimStateChange.objects.create(
                claim=locked,
                from_state=source.value,
                to_state=to.value,
                reason=reason.strip(),
                changed_by=by,
                changed_at=now,
            )
            detail = {"from": source.value, "to": to.value, "reason": reason.strip()}
            record(by=by, action="claims.change_state", obj=locked, detail=detail)
    if denied is not None:
        detail = {"from": source.value, "to": to.value, "error": str(denied)}
        record(by=by, action="claims.change_state", obj=locked, outcome="denied", detail=detail)
        raise denied
    return locked


def draw_spot_check(*, programme: str, window: str, percent: Decimal, seed: int, by: Any) -> list[str]:
    """Mark a reproducible random sample of the window's claims for the spot check (the earlier sample cleared)."""
    with transaction.atomic():
        claims = Claim.objects.filter(programme=programme, window=window).exclude(state=ClaimState.REJECTED)
        chosen = spot_check_sample(claims=list(claims.values_list("reference", flat=True)), percent=percent, seed=seed)
        claims.update(is_sampled=False)
        Claim.objects.filter(reference__in=chosen).update(is_sampled=True)
        record(
            by=by,
            action="claims.spot_check",
            object_type="claims.window",
            object_id=f"{programme}/{window}",
            detail={"percent": str(percent), "seed": seed, "sample": list(chosen)},
        )
    return list(chosen)


def paid_by_year(*, programme: str) -> dict[str, int]:
    """Results paid (claims in state paid) by the funding year the family's case started: actuals for the table."""
    funding = funding_definition(programme)
    totals: dict[str, int] = defaultdict(int)
    for start, amount in Claim.objects.filter(programme=programme, state=ClaimState.PAID).values_list(
        "evidence__start_on", "amount_pence"
    ):
        year = funding.year_of(dt.date.fromisoformat(str(start)))
        if year is not None:
            totals[year.year] += amount
    return dict(totals)
