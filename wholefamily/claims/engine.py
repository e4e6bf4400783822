"""Evaluate a programme's results rules for its families from the linked data: the records behind every condition
are selected by the outcomes engine (identification's SQL generator, DuckDB or Spark, the same linked snapshot), then
the pure results rules (domain/claims) apply each family's windows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from wholefamily.domain.claims.progress import evaluate_results
from wholefamily.domain.claims.rules import (
    ConditionRule,
    Family,
    FamilyOutcome,
    Person,
    Record,
    ResultsRules,
    TermAttendance,
)
from wholefamily.domain.contract import ContractSet
from wholefamily.domain.criteria.schema import Indicator, Rule
from wholefamily.domain.criteria.windows import MonthsWindow
from wholefamily.domain.outcomes.framework import Framework, MeasureRule, OutcomeMeasure
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.outcomes.engine import DistanceScores, FamilyStart, Measurement, measure_families

# The outcomes engine fetches records by measure; a selector becomes a measure whose rule fetches the right columns.
_FETCH_RULE = {
    Rule.ATTENDANCE: MeasureRule.ATTENDANCE_BELOW,
    Rule.EVENT: MeasureRule.NO_EVENTS,
    Rule.SPELL: MeasureRule.NO_SPELL,
}


def _as_measure(code: str, selector: Indicator) -> OutcomeMeasure:
    period = selector.window if selector.window is not None else MonthsWindow(6)  # spells: any period fetches them
    return OutcomeMeasure(
        code=code,
        outcome="results",
        problem=selector.problem,
        label=code,
        source="results rules",
        rule=_FETCH_RULE[selector.rule],
        period=period,
        records=selector,
        threshold_percent=selector.threshold_percent or Decimal(1),
    )


def fetch_framework(rules: ResultsRules, framework: Framework | None) -> Framework:
    """The results conditions' record selectors (and the outcomes framework's measures, for sustained progress) as
    one framework the outcomes engine can fetch in a single pass."""
    measures = [
        _as_measure(code, selector)
        for condition in rules.conditions
        if condition.rule is not ConditionRule.SUSTAINED_PROGRESS
        for code, selector in condition.selectors.items()
    ]
    base = framework.measures if framework is not None else ()
    return Framework(
        code=rules.code,
        version=rules.version,
        title=rules.title,
        programme=rules.programme,
        council="",
        sources=rules.sources,
        effective_from=rules.effective_from,
        effective_to=rules.effective_to,
        before_months=12,
        after_months=12,
        aims=(),
        outcomes=(),
        measures=(*measures, *base),
        performance_measures=(),
        term_calendar=rules.term_calendar,
    )


@dataclass(frozen=True)
class Evaluated:
    family: FamilyStart
    problems: frozenset[str]
    outcome: FamilyOutcome


def _kind_coverage(measurement: Measurement) -> dict[str, dt.date]:
    covered: dict[str, dt.date] = {}
    for measure in measurement.framework.measures:
        value = measurement.covered_to.get(measure.code)
        if value is not None and measure.kind:
            covered[measure.kind] = min(value, covered.get(measure.kind, value))
    return covered


def _person(measurement: Measurement, family: FamilyStart, spec_index: int, distance: DistanceScores) -> Person:
    spec = measurement.members[family.family_id][spec_index]
    records = {
        code: tuple(Record(r.on, r.ref, r.end_on) for r in by_person.get(spec.person_id, ()))
        for code, by_person in measurement.records.items()
    }
    attendance: list[TermAttendance] = []
    for by_person in measurement.attendance.values():
        for row in by_person.get(spec.person_id, ()):
            attendance.append(
                TermAttendance(row.academic_year, row.term, row.possible, row.authorised, row.unauthorised, row.ref)
            )
    unique = {(row.academic_year, row.term): row for row in attendance}  # the same return, fetched for two conditions
    scores = {item: value for (family_id, item), value in distance.items() if family_id == family.family_id}
    return Person(
        person_id=spec.person_id,
        label=spec.label,
        born_on=spec.born_on,
        joined_on=spec.joined_on,
        left_on=spec.left_on,
        records=records,
        attendance=tuple(unique.values()),
        review_scores={item: reviews for item, (_, reviews) in scores.items()},
        baseline_scores={item: baseline for item, (baseline, _) in scores.items() if baseline is not None},
    )


def evaluate_families(
    rules: ResultsRules,
    *,
    framework: Framework | None,
    families: Sequence[FamilyStart],
    problems: Mapping[str, frozenset[str]],
    claimed: Mapping[str, frozenset[str]],
    as_of: dt.date,
    snapshot: Snapshot,
    contracts: ContractSet,
    engine: str = "duckdb",
    distance: DistanceScores | None = None,
    declared_to: Mapping[str, dt.date] | None = None,
    case_holds: Mapping[str, frozenset[str]] | None = None,
) -> tuple[list[Evaluated], Measurement]:
    """Every family's results as of the window's date, with the evidence behind each condition. How far each
    dataset kind reaches is its deliveries' declared period (`declared_to`, by kind) where one is declared, else
    the latest record date; `case_holds` says what each family's case holds (lead worker, assessment, plan)."""
    scores = distance or {}
    measurement = measure_families(
        fetch_framework(rules, framework),
        families=families,
        as_of=as_of,
        snapshot=snapshot,
        contracts=contracts,
        engine=engine,
        distance=scores,
    )
    covered = {**_kind_coverage(measurement), **(declared_to or {})}
    evaluated = []
    for family in families:
        people = tuple(
            _person(measurement, family, index, scores)
            for index in range(len(measurement.members.get(family.family_id, ())))
        )
        subject = Family(
            family_id=family.family_id,
            start_on=family.start_on,
            problems=problems.get(family.family_id, frozenset()),
            people=people,
            covered_to=covered,
            closed_on=family.end_on,
            claimed_results=claimed.get(family.family_id, frozenset()),
            case_holds=(case_holds or {}).get(family.family_id, frozenset()),
        )
        outcome = evaluate_results(rules, family=subject, as_of=as_of, framework=framework)
        evaluated.append(Evaluated(family, subject.problems, outcome))
    return evaluated, measurement
