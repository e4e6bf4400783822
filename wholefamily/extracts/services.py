"""Building an extract: each family on the programme's facts read from the cases, the identification runs, the
outcomes runs and the claims, written as the definition's CSV and kept as built (ADR 0035)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from wholefamily.cases.models import Allocation, Case, Member
from wholefamily.claims.models import Claim
from wholefamily.domain.extracts import ExtractDefinition, FamilyFacts
from wholefamily.domain.outcomes import evaluate as ev
from wholefamily.domain.pathway import MemberRole
from wholefamily.domain.progress import NullProgress, ProgressReporter
from wholefamily.domain.validation import safe_row
from wholefamily.extracts.definitions import counted_problems, extract_definition, extract_definitions
from wholefamily.extracts.models import Extract
from wholefamily.extracts.selectors import require_builder
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.identification.models import CohortFamily, IdentificationRun
from wholefamily.identification.services import IdentificationError
from wholefamily.outcomes.models import OutcomeResult

ADULT_ROLES = frozenset({MemberRole.PARENTING_ADULT, MemberRole.OTHER_ADULT})
STEP = 500  # families a progress step


class ExtractError(Exception):
    """An extract that cannot be built, said for the person who asked."""


@dataclass(frozen=True)
class _Found:
    run_id: int
    as_of_on: date
    district: str
    ward: str
    problems: frozenset[str]


def _identifications(programme: str, households: set[str]) -> dict[str, list[_Found]]:
    """Every qualifying cohort family of the programme's successful runs, by household, oldest run first."""
    rows = (
        CohortFamily.objects.filter(
            is_qualifying=True, run__programme=programme, run__status=IdentificationRun.Status.SUCCEEDED
        )
        .order_by("run__as_of_on", "run_id")
        .values_list("household_id", "run_id", "run__as_of_on", "district", "ward", "problems_met")
    )
    found: dict[str, list[_Found]] = {}
    for household, run_id, as_of_on, district, ward, problems in rows.iterator(chunk_size=5000):
        if household in households:
            codes = frozenset(code for code in problems.split(";") if code) if problems else frozenset()
            found.setdefault(household, []).append(_Found(run_id, as_of_on, district, ward, codes))
    return found


def _identified(found: Sequence[_Found], attached_on: date) -> _Found | None:
    """The newest run dated on or before the day the family came onto the programme (the definition's choice)."""
    before = [item for item in found if item.as_of_on <= attached_on]
    return before[-1] if before else None


def _members(programmes: Sequence[str], closed: dict[int, date | None]) -> dict[int, tuple[int, int]]:
    """Each case's adults and children: members who had not left (before the case closed)."""
    counts: dict[int, list[int]] = {}
    rows = Member.objects.filter(case__programme__in=programmes).values_list("case_id", "role", "end_on")
    for case_id, role, end_on in rows.iterator(chunk_size=5000):
        if case_id not in closed:
            continue
        closed_on = closed[case_id]
        if end_on is not None and (closed_on is None or end_on < closed_on):
            continue  # left the family (before the case closed)
        pair = counts.setdefault(case_id, [0, 0])
        pair[0 if role in ADULT_ROLES else 1] += 1
    return {case_id: (adults, children) for case_id, (adults, children) in counts.items()}


def _outcomes(framework: str, case_ids: set[int]) -> tuple[dict[int, tuple[date, dict[str, str], str]], list[int]]:
    """Each case's outcomes in the newest outcomes run of the framework that measured it, by problem."""
    if not framework:
        return {}, []
    newest: dict[int, tuple[Any, int, date]] = {}
    statuses: dict[tuple[int, int], dict[str, list[ev.Status]]] = {}
    rows = OutcomeResult.objects.filter(run__framework=framework, case__isnull=False).values_list(
        "case_id", "run_id", "run__started_at", "run__as_of_on", "problem", "status"
    )
    for case_id, run_id, started_at, as_of_on, problem, status in rows.iterator(chunk_size=5000):
        if case_id not in case_ids:
            continue
        if case_id not in newest or (started_at, run_id) > newest[case_id][:2]:
            newest[case_id] = (started_at, run_id, as_of_on)
        statuses.setdefault((case_id, run_id), {}).setdefault(problem, []).append(ev.Status(status))
    found: dict[int, tuple[date, dict[str, str], str]] = {}
    for case_id, (_, run_id, as_of_on) in newest.items():
        by_problem = {problem: ev.combine(items) for problem, items in statuses[(case_id, run_id)].items()}
        family = ev.combine(list(by_problem.values()))
        found[case_id] = (as_of_on, {p: str(s) for p, s in by_problem.items()}, str(family))
    return found, sorted({run_id for _, run_id, _ in newest.values()})


def _claims(programme: str, case_ids: set[int]) -> dict[int, Claim]:
    """Each case's latest results claim of the programme, by its last change of state."""
    latest: dict[int, Claim] = {}
    claims = Claim.objects.filter(programme=programme, case__isnull=False).defer("evidence")
    for claim in claims.order_by("state_changed_at", "pk").iterator(chunk_size=2000):
        if claim.case_id in case_ids:
            latest[claim.case_id] = claim
    return latest


def _results(claim: Claim | None) -> tuple[str, ...]:
    return tuple(str(code) for code in claim.results) if claim and isinstance(claim.results, list) else ()


def _write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue().encode("utf-8")


def family_facts(
    definition: ExtractDefinition, cases: Sequence[Case], progress: ProgressReporter
) -> tuple[list[FamilyFacts], dict[str, Any]]:
    """The facts of each case, in the order given, and the runs they were read from."""
    ids = [case.pk for case in cases]
    households = {case.household_id for case in cases if case.household_id}
    identifications = _identifications(definition.programme, households)
    programmes = definition.case_programmes
    members = _members(programmes, {case.pk: case.closed_on for case in cases})
    outcomes, outcome_runs = _outcomes(definition.outcomes_framework, set(ids))
    claims = _claims(definition.programme, set(ids))
    allocations = Allocation.objects.filter(case__programme__in=programmes).values_list("case_id", flat=True)
    allocated = set(allocations.distinct()) & set(ids)
    progress.start(len(cases), "Writing a row for each family")
    facts: list[FamilyFacts] = []
    identification_runs: set[int] = set()
    for index, case in enumerate(cases, start=1):
        found = _identified(identifications.get(case.household_id, []), case.opened_on)
        if found is not None:
            identification_runs.add(found.run_id)
        measured = outcomes.get(case.pk)
        claim = claims.get(case.pk)
        adults, children = members.get(case.pk, (0, 0))
        facts.append(
            FamilyFacts(
                reference=case.reference,
                household_id=case.household_id,
                route_in=case.origin,
                stage=case.stage,
                attached_on=case.opened_on,
                key_worker_allocated=case.key_worker_id is not None or case.pk in allocated,
                plan_agreed_on=case.plan_agreed_on,
                closed_on=case.closed_on,
                closure_destination=case.closure_destination,
                adults=adults,
                children=children,
                identified_on=found.as_of_on if found else None,
                district=found.district if found else "",
                ward=found.ward if found else "",
                problems_at_identification=found.problems if found else None,
                outcomes_measured_on=measured[0] if measured else None,
                outcome_by_problem=measured[1] if measured else {},
                family_outcome=measured[2] if measured else "",
                claim_window=claim.window if claim else "",
                claim_state=claim.state if claim else "",
                claim_results=_results(claim),
                claim_amount_pence=claim.amount_pence if claim else None,
            )
        )  # fmt: skip
        if index % STEP == 0:
            progress.advance(STEP)
    progress.advance(len(cases) % STEP)
    built_from = {
        "identification_runs": sorted(identification_runs),
        "outcomes_runs": outcome_runs,
        "claim_runs": sorted({claim.run_id for claim in claims.values()}),
    }
    return facts, built_from


def build_extract(*, code: str, by: User, job: Any = None, progress: ProgressReporter | None = None) -> Extract:
    """Build the extract `code` over the families on its programme that `by` may see, and keep it as built."""
    progress = progress or NullProgress()
    require_builder(by)
    definition = extract_definition(code)
    if definition is None:
        known = ", ".join(sorted(extract_definitions())) or "none"
        raise ExtractError(f"There is no extract called {code!r}. The extracts are: {known}.")
    try:
        programme, problems = counted_problems(definition)
    except IdentificationError as error:
        raise ExtractError(f"The extract {code} names a programme this service does not have ({error}).") from None
    columns = definition.columns(problems)
    progress.set_message("Reading the families on the programme")
    cases = list(
        access.scope(
            by, Case.objects.filter(programme__in=definition.case_programmes), team_field="team",
            worker_field="key_worker",
        ).order_by("reference")
    )  # fmt: skip
    facts, built_from = family_facts(definition, cases, progress)
    content = _write([c.name for c in columns], (definition.row(f, columns, problems) for f in facts))
    extract = Extract.objects.create(
        definition=definition.code,
        definition_version=definition.version,
        title=definition.title,
        programme=definition.programme,
        built_at=timezone.now(),
        built_by=by,
        rows=len(facts),
        columns=[{"name": c.name, "description": c.description} for c in columns],
        built_from={**built_from, "programme_version": programme.version},
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        job=job,
    )
    record(by=by, action="extracts.build_extract", obj=extract,
           detail={"definition": definition.label, "rows": extract.rows, "sha256": extract.sha256})  # fmt: skip
    return extract
