"""The results condition `sustained_progress`: significant and sustained progress against every problem the family
had at identification, as the council's outcomes framework defines it (tf-2015), or held for a number of months after
the case closed (supporting-families-2022). Each measure is evaluated by the outcomes evaluator, unchanged.
"""

from __future__ import annotations

import datetime as dt

from wholefamily.domain.claims.rules import (
    Condition,
    ConditionOutcome,
    ConditionRule,
    Family,
    FamilyOutcome,
    MemberOutcome,
    Person,
    ResultsRules,
    Status,
    evaluate_family,
)
from wholefamily.domain.criteria.schema import DefinitionError
from wholefamily.domain.criteria.windows import TermsWindow, months_after
from wholefamily.domain.outcomes import evaluate as outcomes
from wholefamily.domain.outcomes.framework import Framework, MeasureRule, OutcomeMeasure

_FROM_OUTCOMES = {
    outcomes.Status.ACHIEVED: Status.ACHIEVED,
    outcomes.Status.NOT_ACHIEVED: Status.NOT_ACHIEVED,
    outcomes.Status.NOT_YET: Status.NOT_YET,
    outcomes.Status.MISSING: Status.MISSING,
    outcomes.Status.NOT_APPLICABLE: Status.NOT_APPLICABLE,
    outcomes.Status.LEFT: Status.NEUTRAL,
}


def _member(person: Person, measure: OutcomeMeasure, family: Family, framework: Framework) -> outcomes.MemberData:
    data = outcomes.MemberData(
        person_id=person.person_id,
        label=person.label,
        born_on=person.born_on,
        joined_on=person.joined_on,
        left_on=person.left_on,
        records=tuple(outcomes.Record(r.on, r.ref, r.end_on) for r in person.records.get(measure.code, ())),
        attendance=tuple(
            outcomes.TermAttendance(
                row.academic_year, row.term, row.possible, row.authorised, row.unauthorised, row.ref
            )
            for row in person.attendance
        ),
        review_scores=person.review_scores.get(measure.item, ()),
        baseline_score=person.baseline_scores.get(measure.item),
    )
    had = outcomes.had_problem_at_start(measure, data, family.start_on, framework.term_calendar)
    return outcomes.MemberData(**{**data.__dict__, "had_problem": had})


def _before(
    measure: OutcomeMeasure, member: outcomes.MemberData, family: Family, framework: Framework
) -> tuple[str, tuple[str, ...]]:
    """The measure's value over its period ending the day before the start, and the records behind it."""
    calendar = framework.term_calendar
    day_before = family.start_on - dt.timedelta(days=1)
    value = outcomes.point_value(measure, member, day_before, calendar)
    if measure.rule is MeasureRule.DISTANCE_TRAVELLED:
        return value, ()
    if measure.rule is MeasureRule.ATTENDANCE_BELOW:
        assert isinstance(measure.period, TermsWindow)
        terms = {(t.academic_year, t.code) for t in measure.period.term_list(day_before, calendar)}
        return value, tuple(row.ref for row in member.attendance if (row.academic_year, row.term) in terms)
    low, high = outcomes.period_bounds(measure, day_before, calendar)
    if low is None or high is None:
        return value, ()
    return value, tuple(r.ref for r in member.records if r.on <= high and (r.end_on or r.on) >= low)


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _words(code: str) -> str:
    """A problem's code in words ("domestic_abuse" reads "domestic abuse"), as the reasons and rows are read."""
    return code.replace("_", " ")


def _measure(measure: OutcomeMeasure, family: Family, framework: Framework, as_of: dt.date) -> outcomes.MeasureResult:
    members = [_member(person, measure, family, framework) for person in family.people]
    covered = family.covered_to.get(measure.kind) if measure.records is not None else None
    return outcomes.evaluate_measure(
        measure,
        start_on=family.start_on,
        as_of=as_of,
        members=members,
        calendar=framework.term_calendar,
        covered_to=covered,
    )


def evaluate_sustained_progress(
    condition: Condition,
    *,
    framework: Framework,
    family: Family,
    as_of: dt.date,
    months_after_closure: int = 0,
) -> ConditionOutcome:
    """Every problem the family had at identification shows the framework's progress on every one of its measures.

    With `months_after_closure`, the case must have closed that many months before the claim date and each measure's
    period must lie wholly after the closure (the progress held after the work ended). A problem the framework has no
    measure for, or whose every measure finds nobody with the problem at the start, cannot show progress: missing.
    """

    periods: list[tuple[dt.date, dt.date]] = []

    def outcome(status: Status, reason: str, rows: list[MemberOutcome] | None = None) -> ConditionOutcome:
        low = min((period[0] for period in periods), default=None)
        high = max((period[1] for period in periods), default=None)
        return ConditionOutcome(condition.code, condition.label, status, reason, low, high, tuple(rows or ()))

    if not family.problems:
        return outcome(Status.NOT_APPLICABLE, "no problem at identification")
    if months_after_closure:
        if family.closed_on is None:
            return outcome(Status.NOT_YET, "the case is open")
        due_on = months_after(family.closed_on, months_after_closure)
        if as_of < due_on:
            return outcome(Status.NOT_YET, f"not {months_after_closure} months after closure until {_day(due_on)}")
    statuses: list[Status] = []
    rows: list[MemberOutcome] = []
    reasons: list[str] = []
    for problem in sorted(family.problems):
        measures = framework.measures_of(problem)
        if not measures:
            statuses.append(Status.MISSING)
            reasons.append(f"{_words(problem)}: no outcome measure in {framework.label}")
            continue
        results = [_measure(measure, family, framework, as_of) for measure in measures]
        problem_status = _FROM_OUTCOMES[outcomes.combine([result.status for result in results])]
        for measure, result in zip(measures, results, strict=True):
            after_closure = (
                family.closed_on is None or result.period_from is None or result.period_from >= family.closed_on
            )
            if months_after_closure and not after_closure and measure.rule is not MeasureRule.DISTANCE_TRAVELLED:
                problem_status = Status.NOT_YET
            data = {person.person_id: _member(person, measure, family, framework) for person in family.people}
            period = ""
            if result.period_from is not None and result.period_to is not None and result.members:
                periods.append((result.period_from, result.period_to))
                period = f", {_day(result.period_from)} to {_day(result.period_to)}"
            for member in result.members:
                before, before_refs = _before(measure, data[member.person_id], family, framework)
                rows.append(
                    MemberOutcome(
                        member.person_id,
                        f"{member.label} ({_words(problem)}: {_words(measure.code)}{period})",
                        _FROM_OUTCOMES[member.status],
                        before,
                        member.value,
                        tuple(dict.fromkeys((*before_refs, *member.evidence))),
                    )
                )
        if problem_status is Status.NOT_APPLICABLE:
            problem_status = Status.MISSING  # nobody had it by the framework's measures: progress cannot be shown
        statuses.append(problem_status)
        reasons.append(f"{_words(problem)}: {problem_status.value.replace('_', ' ')}")
    worst = next(
        (s for s in (Status.NOT_ACHIEVED, Status.NOT_YET, Status.MISSING) if s in statuses),
        Status.ACHIEVED,
    )
    return outcome(worst, "; ".join(reasons), rows)


def evaluate_results(
    rules: ResultsRules, *, family: Family, as_of: dt.date, framework: Framework | None = None
) -> FamilyOutcome:
    """Every result of the rules for one family as of the claim date, the framework's sustained progress included."""
    extra = {}
    for condition in rules.conditions:
        if condition.rule is not ConditionRule.SUSTAINED_PROGRESS:
            continue
        if framework is None or framework.code != rules.framework:
            raise DefinitionError(f"{rules.label}: needs the outcomes framework {rules.framework!r}")
        extra[condition.code] = evaluate_sustained_progress(
            condition,
            framework=framework,
            family=family,
            as_of=as_of,
            months_after_closure=rules.sustained_months_after_closure,
        )
    return evaluate_family(rules, family=family, as_of=as_of, extra=extra)
