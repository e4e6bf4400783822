"""Results rules (`programmes/results/*.yaml`): the conditions a family must meet for a results payment, parsed with
identification's indicator parser (so identification's SQL generator selects their records) and evaluated here on one
family's records with identification's windows.

The choices where the sources are open are written in each definition file (`choices:`) and tested.
Statuses, from worst to best for a claim: not_achieved, void, not_yet, missing, then achieved; neutral (a child who
left school) and not_applicable (the family did not have the problem) count neither way.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.criteria import schema as criteria
from wholefamily.domain.criteria.schema import DefinitionError, Indicator
from wholefamily.domain.criteria.windows import (
    MonthsWindow,
    TermCalendar,
    TermsWindow,
    Window,
    birth_date_cutoff,
    months_after,
)
from wholefamily.domain.outcomes.evaluate import Record as Record  # re-exported: the records a rule reads
from wholefamily.domain.outcomes.evaluate import TermAttendance as TermAttendance


class ConditionRule(enum.StrEnum):
    FEWER_THAN = "fewer_than"  # each member fewer than max_count records in the period
    ATTENDANCE_BELOW = "attendance_below"  # each member's absence below threshold_percent over the period's terms
    FAMILY_FEWER_EVENTS = "family_fewer_events"  # the family's records down reduction_percent on the months before
    CONTINUOUS_EMPLOYMENT = "continuous_employment"  # an adult off out-of-work benefits, in work the whole period
    ATTACHED_TO_PROVISION = "attached_to_provision"  # an adult attached to ESF/Work Programme in the period
    SUSTAINED_PROGRESS = "sustained_progress"  # the outcomes framework's progress on every problem at identification


_SELECTOR_RULE = {
    ConditionRule.FEWER_THAN: criteria.Rule.EVENT,
    ConditionRule.ATTENDANCE_BELOW: criteria.Rule.ATTENDANCE,
    ConditionRule.FAMILY_FEWER_EVENTS: criteria.Rule.EVENT,
    ConditionRule.CONTINUOUS_EMPLOYMENT: criteria.Rule.SPELL,
    ConditionRule.ATTACHED_TO_PROVISION: criteria.Rule.SPELL,
}


class Status(enum.StrEnum):
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    VOID = "void"  # another member started the same problem
    NOT_YET = "not_yet"  # the period after the start is not over
    MISSING = "missing"  # the data cannot say: never read as success
    NEUTRAL = "neutral"  # a child who left school (or the family): counted neither way
    NOT_APPLICABLE = "not_applicable"  # the family did not have this problem
    EXCLUDED = "excluded"  # member level: on ESF/Work Programme, not claimed for employment (no double payment)
    ALREADY_CLAIMED = "already_claimed"  # result level: the family has been claimed for this result before

    @property
    def is_payable(self) -> bool:
        return self is Status.ACHIEVED


_WORST_FIRST = (Status.NOT_ACHIEVED, Status.VOID, Status.NOT_YET, Status.MISSING, Status.ACHIEVED)


def combine(statuses: Iterable[Status]) -> Status:
    """All must hold: the worst status counted; neutral, excluded and not applicable count neither way."""
    seen = set(statuses)
    for status in _WORST_FIRST:
        if status in seen:
            return status
    return Status.NEUTRAL if Status.NEUTRAL in seen else Status.NOT_APPLICABLE


# --- definitions ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    code: str
    problem: str
    label: str
    source: str
    rule: ConditionRule
    period: Window | None
    records: Indicator | None
    threshold_percent: Decimal = Decimal(0)
    reduction_percent: Decimal = Decimal(0)
    max_count: int = 0
    benefits: Indicator | None = None
    provision: Indicator | None = None
    choice: str = ""

    @property
    def subject(self) -> criteria.Subject:
        return self.records.subject if self.records is not None else criteria.Subject()

    @property
    def selectors(self) -> dict[str, Indicator]:
        """The record selectors this condition reads, keyed as Person.records is (code, code_benefits...)."""
        found = {
            self.code: self.records,
            f"{self.code}_benefits": self.benefits,
            f"{self.code}_provision": self.provision,
        }
        return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True)
class Result:
    code: str
    label: str
    source: str
    conditions: tuple[str, ...]
    requires: tuple[str, ...] = ()
    not_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimWindow:
    """A date results are claimed for: the claim looks at the periods ending on `as_of`."""

    code: str
    as_of: dt.date
    source: str = ""


@dataclass(frozen=True)
class ResultsRules:
    code: str
    version: int
    programme: str
    title: str
    sources: tuple[str, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    conditions: tuple[Condition, ...]
    results: tuple[Result, ...]
    choices: tuple[criteria.Choice, ...] = ()
    term_calendar: TermCalendar = field(default_factory=TermCalendar)
    claim_windows: tuple[ClaimWindow, ...] = ()
    framework: str = ""  # the outcomes framework sustained_progress reads
    sustained_months_after_closure: int = 0  # supporting-families-2022: progress held this long after the case closed

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"

    def window(self, code: str) -> ClaimWindow:
        for window in self.claim_windows:
            if window.code == code:
                return window
        known = ", ".join(window.code for window in self.claim_windows)
        raise DefinitionError(f"{self.label}: no claim window {code!r} (windows: {known})")

    def condition(self, code: str) -> Condition:
        return next(item for item in self.conditions if item.code == code)


def _selector(
    raw: Mapping[str, Any],
    *,
    code: str,
    problem: str,
    rule: criteria.Rule,
    lists: Mapping[str, tuple[str, ...]],
    window: Any,
) -> Indicator:
    keys = ("subject", "kind", "date_column", "end_column", "where", "absence", "threshold_percent")
    selector: dict[str, Any] = {key: raw[key] for key in keys if key in raw}
    selector.update(code=code, problem=problem, rule=rule.value, window=window, label=code, source="results rule")
    selector.setdefault("subject", raw.get("subject", "any"))
    return criteria.indicator(selector, lists, f"results condition {code}")


def _condition(raw: Any, lists: Mapping[str, tuple[str, ...]], index: int) -> Condition:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"conditions[{index}]: a mapping")
    code = criteria._code(raw.get("code"), f"conditions[{index}].code")
    where = f"results condition {code}"
    try:
        rule = ConditionRule(str(raw.get("rule")))
    except ValueError as error:
        raise DefinitionError(f"{where}: rule is one of {', '.join(r.value for r in ConditionRule)}") from error
    problem = criteria._code(raw.get("problem", "any_problem"), f"{where}.problem")
    condition = Condition(
        code=code,
        problem=problem,
        label=str(criteria._require(raw, "label", where)),
        source=str(criteria._require(raw, "source", where)),
        rule=rule,
        period=None,
        records=None,
        choice=str(raw.get("choice", "")),
    )
    if rule is ConditionRule.SUSTAINED_PROGRESS:
        return condition
    period = criteria._window(criteria._require(raw, "period", where), f"{where}.period")
    records = _selector(raw, code=code, problem=problem, rule=_SELECTOR_RULE[rule], lists=lists, window=raw["period"])
    changes: dict[str, Any] = {"period": period, "records": records}
    if rule is ConditionRule.FEWER_THAN:
        changes["max_count"] = criteria._int(
            criteria._require(raw, "max_count", where), f"{where}.max_count", minimum=1
        )
    if rule is ConditionRule.ATTENDANCE_BELOW:
        changes["threshold_percent"] = records.threshold_percent
    if rule in (ConditionRule.FAMILY_FEWER_EVENTS,):
        if not isinstance(period, MonthsWindow):
            raise DefinitionError(f"{where}: family_fewer_events compares periods of months")
        changes["reduction_percent"] = criteria._percent(criteria._require(raw, "reduction_percent", where), where)
    if rule in (ConditionRule.CONTINUOUS_EMPLOYMENT, ConditionRule.ATTACHED_TO_PROVISION) and not isinstance(
        period, MonthsWindow
    ):
        raise DefinitionError(f"{where}: {rule.value} needs a period of months")
    if rule is ConditionRule.CONTINUOUS_EMPLOYMENT:
        for name in ("benefits", "provision"):
            part = criteria._require(raw, name, where)
            changes[name] = _selector(
                {"subject": raw.get("subject", "adult"), **part},
                code=f"{code}_{name}",
                problem=problem,
                rule=criteria.Rule.SPELL,
                lists=lists,
                window=None,
            )
    return Condition(**{**condition.__dict__, **changes})


def _result(raw: Any, conditions: set[str], index: int) -> Result:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"results[{index}]: a mapping")
    code = criteria._code(raw.get("code"), f"results[{index}].code")
    result = Result(
        code=code,
        label=str(criteria._require(raw, "label", f"result {code}")),
        source=str(criteria._require(raw, "source", f"result {code}")),
        conditions=criteria._strings(criteria._require(raw, "conditions", f"result {code}"), f"result {code}"),
        requires=criteria._strings(raw.get("requires") or [], f"result {code}.requires"),
        not_with=criteria._strings(raw.get("not_with") or [], f"result {code}.not_with"),
    )
    unknown = sorted(set(result.conditions) - conditions)
    if unknown:
        raise DefinitionError(f"result {code}: unknown conditions {unknown}")
    return result


def parse_results_rules(raw: Mapping[str, Any]) -> ResultsRules:
    """Parse and check a results rules definition: every result's conditions exist, every reference resolves."""
    code = str(raw.get("rules") or "")
    if not code:
        raise DefinitionError("rules: the definition's code is required")
    if not raw.get("source"):
        raise DefinitionError(f"{code}: 'source' is required")
    lists = criteria._lists(raw.get("lists"))
    conditions = tuple(_condition(item, lists, index) for index, item in enumerate(raw.get("conditions") or ()))
    codes = {item.code for item in conditions}
    if len(codes) != len(conditions):
        raise DefinitionError(f"{code}: duplicate condition codes")
    results = tuple(_result(item, codes, index) for index, item in enumerate(raw.get("results") or ()))
    result_codes = {item.code for item in results}
    if not results or len(result_codes) != len(results):
        raise DefinitionError(f"{code}: at least one result, each code once")
    for result in results:
        unknown = sorted(set(result.requires + result.not_with) - result_codes)
        if unknown:
            raise DefinitionError(f"result {result.code}: unknown results {unknown}")
    effective_to = raw.get("effective_to")
    rules = ResultsRules(
        code=code,
        version=criteria._int(raw.get("version"), f"{code}.version", minimum=1),
        programme=str(criteria._require(raw, "programme", code)),
        title=str(criteria._require(raw, "title", code)),
        sources=tuple(str(item) for item in raw["source"]),
        effective_from=criteria.date(raw.get("effective_from"), "effective_from"),
        effective_to=None if not effective_to else criteria.date(effective_to, "effective_to"),
        conditions=conditions,
        results=results,
        choices=tuple(
            criteria.Choice(str(c["topic"]), str(c["choice"]), str(c["reason"])) for c in raw.get("choices") or ()
        ),
        term_calendar=criteria.term_calendar(raw.get("school_terms")),
        claim_windows=tuple(
            ClaimWindow(
                str(w["code"]), criteria.date(w.get("as_of"), f"claim window {w['code']}"), str(w.get("source", ""))
            )
            for w in raw.get("claim_windows") or ()
        ),
        framework=str(raw.get("framework", "")),
        sustained_months_after_closure=int(raw.get("sustained_months_after_closure", 0)),
    )
    if any(item.rule is ConditionRule.SUSTAINED_PROGRESS for item in conditions) and not rules.framework:
        raise DefinitionError(f"{code}: sustained_progress needs the outcomes framework it reads (framework:)")
    return rules


def load_results_rules(path: Path) -> ResultsRules:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, Mapping):
        raise DefinitionError(f"{path.name}: not a mapping")
    try:
        rules = parse_results_rules(loaded)
    except (DefinitionError, ValueError, TypeError, KeyError) as error:
        raise DefinitionError(f"{path.name}: {error}") from error
    if path.name != f"{rules.code}.yaml":
        raise DefinitionError(f"{path.name}: file name should be {rules.code}.yaml")
    return rules


# --- a family's data ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    person_id: str
    label: str
    born_on: dt.date | None
    joined_on: dt.date | None = None
    left_on: dt.date | None = None
    left_school_on: dt.date | None = None
    records: Mapping[str, tuple[Record, ...]] = field(default_factory=dict)  # by Condition.selectors key
    attendance: tuple[TermAttendance, ...] = ()
    review_scores: Mapping[str, tuple[int | None, ...]] = field(default_factory=dict)  # distance travelled, by item
    baseline_scores: Mapping[str, int] = field(default_factory=dict)

    def in_family_on(self, on: dt.date) -> bool:
        return (self.joined_on is None or self.joined_on <= on) and (self.left_on is None or self.left_on >= on)

    def aged(self, subject: criteria.Subject, on: dt.date) -> bool:
        if subject.min_age is None and subject.max_age is None:
            return True
        if self.born_on is None:
            return False
        if subject.min_age is not None and self.born_on > birth_date_cutoff(on, subject.min_age):
            return False
        return subject.max_age is None or self.born_on > birth_date_cutoff(on, subject.max_age + 1)


@dataclass(frozen=True)
class Family:
    family_id: str
    start_on: dt.date
    problems: frozenset[str]  # headline problems at identification
    people: tuple[Person, ...]
    covered_to: Mapping[str, dt.date] = field(default_factory=dict)  # by dataset kind: the last day its data reach
    closed_on: dt.date | None = None
    claimed_results: frozenset[str] = frozenset()  # results claimed before (not rejected): never claimed twice


# --- evaluation -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberOutcome:
    person_id: str
    label: str
    status: Status
    before: str
    after: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConditionOutcome:
    condition: str
    label: str
    status: Status
    reason: str
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    members: tuple[MemberOutcome, ...] = ()


@dataclass(frozen=True)
class ResultOutcome:
    result: str
    label: str
    status: Status
    reason: str
    conditions: tuple[ConditionOutcome, ...]


@dataclass(frozen=True)
class FamilyOutcome:
    family_id: str
    rules: str
    as_of: dt.date
    results: tuple[ResultOutcome, ...]

    @property
    def payable(self) -> tuple[str, ...]:
        return tuple(item.result for item in self.results if item.status.is_payable)


def _bounds(period: Window | None, as_of: dt.date, calendar: TermCalendar) -> tuple[dt.date, dt.date]:
    if isinstance(period, TermsWindow):
        return period.bounds(as_of, calendar)
    assert isinstance(period, MonthsWindow)
    return period.bounds(as_of)


def _count(records: Sequence[Record], low: dt.date, high: dt.date) -> list[Record]:
    return [record for record in records if low <= record.on <= high]


def _overlapping(records: Sequence[Record], low: dt.date, high: dt.date) -> list[Record]:
    return [record for record in records if record.on <= high and (record.end_on is None or record.end_on >= low)]


def _absence(
    condition: Condition, person: Person, as_of: dt.date, calendar: TermCalendar
) -> tuple[int, int, tuple[str, ...]] | None:
    """(sessions missed, possible, refs) over the condition's terms ending by `as_of`; None if a term is missing."""
    assert isinstance(condition.period, TermsWindow)
    rows = {(row.academic_year, row.term): row for row in person.attendance}
    chosen = [rows.get((term.academic_year, term.code)) for term in condition.period.term_list(as_of, calendar)]
    present = [row for row in chosen if row is not None and row.possible]
    if len(present) != len(chosen):
        return None
    is_total = condition.records is not None and condition.records.absence is criteria.Absence.TOTAL
    missed = sum(row.unauthorised + (row.authorised if is_total else 0) for row in present)
    return missed, sum(row.possible for row in present), tuple(row.ref for row in present)


def _left_school(person: Person, high: dt.date) -> bool:
    if person.left_school_on is not None and person.left_school_on <= high:
        return True
    return person.born_on is not None and person.born_on <= birth_date_cutoff(high, 16)


# (had the problem before the start, has it in the period) -> the child's status
_CHILD_STATUS = {
    (True, False): Status.ACHIEVED,
    (True, True): Status.NOT_ACHIEVED,
    (False, True): Status.VOID,  # another member started the same problem
    (False, False): Status.NEUTRAL,
}


def _per_child(condition: Condition, family: Family, as_of: dt.date, calendar: TermCalendar) -> list[MemberOutcome]:
    """fewer_than and attendance_below: each member of the subject, the child of concern measured, the others
    watched for starting the problem (void); leaving school or the family is neutral."""
    low, high = _bounds(condition.period, as_of, calendar)
    day_before = family.start_on - dt.timedelta(days=1)
    before_low, before_high = _bounds(condition.period, day_before, calendar)
    rows = []
    for person in family.people:
        if not (person.in_family_on(family.start_on) and person.aged(condition.subject, family.start_on)):
            continue
        if person.left_on is not None and person.left_on < high:
            rows.append(
                MemberOutcome(
                    person.person_id, person.label, Status.NEUTRAL, "", f"left the family on {person.left_on}"
                )
            )
            continue
        if _left_school(person, high):
            rows.append(MemberOutcome(person.person_id, person.label, Status.NEUTRAL, "", "left school"))
            continue
        earlier = None
        if condition.rule is ConditionRule.FEWER_THAN:
            records = person.records.get(condition.code, ())
            before, after = _count(records, before_low, before_high), _count(records, low, high)
            had, has = len(before) >= condition.max_count, len(after) >= condition.max_count
            texts = (f"{len(before)} in the terms before the start", f"{len(after)} in the period")
            refs = tuple(record.ref for record in (*before, *after))
        else:
            earlier, now = (
                _absence(condition, person, day_before, calendar),
                _absence(condition, person, as_of, calendar),
            )
            if now is None:
                rows.append(MemberOutcome(person.person_id, person.label, Status.MISSING, "", "attendance missing"))
                continue
            basis = int(condition.threshold_percent * 100)
            has = now[0] * 10000 >= now[1] * basis
            had = earlier is not None and earlier[0] * 10000 >= earlier[1] * basis
            before_text = (
                "missing"
                if earlier is None
                else f"{earlier[0]} of {earlier[1]} sessions ({100 * earlier[0] / earlier[1]:.1f}%)"
            )
            texts = (before_text, f"{now[0]} of {now[1]} sessions ({100 * now[0] / now[1]:.1f}%)")
            refs = (*(earlier[2] if earlier else ()), *now[2])
        status = _CHILD_STATUS[(had, has)]
        if condition.rule is ConditionRule.ATTENDANCE_BELOW and earlier is None and has:
            status = Status.MISSING  # above the threshold now, unknown before: not achieved or void, cannot say
        rows.append(MemberOutcome(person.person_id, person.label, status, texts[0], texts[1], refs))
    return rows


def _family_fewer(condition: Condition, family: Family, as_of: dt.date) -> tuple[Status, str, list[MemberOutcome]]:
    assert isinstance(condition.period, MonthsWindow)
    low, high = condition.period.bounds(as_of)
    before_low, before_high = condition.period.bounds(family.start_on - dt.timedelta(days=1))
    rows, before_total, after_total, is_void = [], 0, 0, False
    for person in family.people:
        if not (person.in_family_on(family.start_on) and person.aged(condition.subject, family.start_on)):
            continue
        records = person.records.get(condition.code, ())
        before, after = _count(records, before_low, before_high), _count(records, low, high)
        before_total += len(before)
        after_total += len(after)
        status = Status.NEUTRAL
        if not before and after:
            status, is_void = Status.VOID, True
        elif before:
            status = Status.ACHIEVED if len(after) < len(before) else Status.NOT_ACHIEVED
        refs = tuple(record.ref for record in (*before, *after))
        rows.append(MemberOutcome(person.person_id, person.label, status, str(len(before)), str(len(after)), refs))
    reason = f"{after_total} in the period, {before_total} in the {condition.period.months} months before the start"
    if before_total == 0:
        return Status.VOID if is_void else Status.NOT_APPLICABLE, reason, rows
    if is_void:
        return Status.VOID, reason + "; another member started the problem", rows
    is_fewer = after_total * 100 <= before_total * (100 - condition.reduction_percent)
    return Status.ACHIEVED if is_fewer else Status.NOT_ACHIEVED, reason, rows


def _employment(condition: Condition, family: Family, as_of: dt.date) -> tuple[Status, list[MemberOutcome]]:
    assert isinstance(condition.period, MonthsWindow)
    low, high = condition.period.bounds(as_of)
    before_low, before_high = condition.period.bounds(family.start_on)
    rows = []
    for person in family.people:
        if not (person.in_family_on(family.start_on) and person.aged(condition.subject, family.start_on)):
            continue
        benefits = person.records.get(f"{condition.code}_benefits", ())
        claimed = _overlapping(benefits, before_low, before_high)
        if not claimed:
            continue
        provision = _overlapping(person.records.get(f"{condition.code}_provision", ()), family.start_on, as_of)
        work = [
            r for r in person.records.get(condition.code, ()) if r.on <= low and (r.end_on is None or r.end_on >= high)
        ]
        still = _overlapping(benefits, low, high)
        refs = tuple(record.ref for record in (*claimed, *work, *still, *provision))
        before = f"out-of-work benefits ({len(claimed)} claim(s))"
        if provision:
            status, after = Status.EXCLUDED, "on the ESF provision or Work Programme: not claimed for employment"
        elif person.left_on is not None and person.left_on < high:
            status, after = Status.NEUTRAL, f"left the family on {person.left_on}"
        elif work and not still:
            status, after = Status.ACHIEVED, f"in work from {work[0].on}, no out-of-work benefits in the period"
        else:
            status, after = Status.NOT_ACHIEVED, "in work the whole period" if work else "not in work the whole period"
            after += "; still on out-of-work benefits" if still else ""
        rows.append(MemberOutcome(person.person_id, person.label, status, before, after, refs))
    statuses = {row.status for row in rows}
    if Status.ACHIEVED in statuses:
        return Status.ACHIEVED, rows
    if Status.NOT_ACHIEVED in statuses:
        return Status.NOT_ACHIEVED, rows
    return (Status.NOT_ACHIEVED if rows else Status.NOT_APPLICABLE), rows


def _provision(condition: Condition, family: Family, as_of: dt.date) -> tuple[Status, list[MemberOutcome]]:
    assert isinstance(condition.period, MonthsWindow)
    low, high = condition.period.bounds(as_of)
    rows = []
    for person in family.people:
        if not (person.in_family_on(family.start_on) and person.aged(condition.subject, family.start_on)):
            continue
        attached = [r for r in _count(person.records.get(condition.code, ()), low, high) if r.on >= family.start_on]
        if attached:
            refs = tuple(record.ref for record in attached)
            rows.append(
                MemberOutcome(
                    person.person_id, person.label, Status.ACHIEVED, "", f"attached on {attached[0].on}", refs
                )
            )
    return (Status.ACHIEVED if rows else Status.NOT_ACHIEVED), rows


def evaluate_condition(
    condition: Condition, *, family: Family, as_of: dt.date, calendar: TermCalendar
) -> ConditionOutcome:
    """One condition for one family as of the claim date (rules: the module docstring and the definition's choices)."""
    if condition.problem not in family.problems:
        return ConditionOutcome(
            condition.code, condition.label, Status.NOT_APPLICABLE, "the family did not have this problem"
        )
    low, high = _bounds(condition.period, as_of, calendar)

    def outcome(status: Status, reason: str, rows: Sequence[MemberOutcome] = ()) -> ConditionOutcome:
        return ConditionOutcome(condition.code, condition.label, status, reason, low, high, tuple(rows))

    if low < family.start_on:
        return outcome(Status.NOT_YET, "the period after the start is not over yet")
    kinds = {selector.kind for selector in condition.selectors.values()}
    short = sorted(kind for kind in kinds if family.covered_to.get(kind) is None or family.covered_to[kind] < high)
    if short:
        return outcome(Status.MISSING, f"no data to {high} for {', '.join(short)}")
    if condition.rule in (ConditionRule.FEWER_THAN, ConditionRule.ATTENDANCE_BELOW):
        rows = _per_child(condition, family, as_of, calendar)
        status = combine(row.status for row in rows)
        reason = "each child measured" if rows else "no child in the family at the start"
        if status is Status.VOID:
            reason = "another child started the same problem"
        if status is Status.NEUTRAL:
            reason = "every child left school or the family"
        return outcome(status, reason, rows)
    if condition.rule is ConditionRule.FAMILY_FEWER_EVENTS:
        status, reason, rows = _family_fewer(condition, family, as_of)
        return outcome(status, reason, rows)
    if condition.rule is ConditionRule.CONTINUOUS_EMPLOYMENT:
        status, rows = _employment(condition, family, as_of)
        return outcome(
            status, "at least one adult" if rows else "no adult on out-of-work benefits before the start", rows
        )
    status, rows = _provision(condition, family, as_of)
    return outcome(status, "at least one adult attached" if rows else "no adult attached in the period", rows)


def evaluate_family(
    rules: ResultsRules,
    *,
    family: Family,
    as_of: dt.date,
    extra: Mapping[str, ConditionOutcome] | None = None,
) -> FamilyOutcome:
    """Every result of the rules for one family as of the claim date: which are payable, and why each is not.
    `extra` carries conditions evaluated elsewhere (sustained_progress, from the outcomes framework)."""
    evaluated = {
        item.code: evaluate_condition(item, family=family, as_of=as_of, calendar=rules.term_calendar)
        for item in rules.conditions
        if item.rule is not ConditionRule.SUSTAINED_PROGRESS
    }
    evaluated.update(extra or {})
    outcomes: dict[str, ResultOutcome] = {}
    for result in rules.results:
        parts = tuple(evaluated[code] for code in result.conditions)
        status = combine(part.status for part in parts)
        reason = "every part that applies holds" if status is Status.ACHIEVED else status.value.replace("_", " ")
        if status in (Status.NEUTRAL, Status.NOT_APPLICABLE):
            status, reason = Status.NOT_APPLICABLE, "no part applies to this family"
        outcomes[result.code] = ResultOutcome(result.code, result.label, status, reason, parts)
    for result in rules.results:
        current = outcomes[result.code]
        if not current.status.is_payable:
            continue
        missing = [code for code in result.requires if not outcomes[code].status.is_payable]
        clashing = [code for code in result.not_with if outcomes[code].status.is_payable]
        if missing:
            current = ResultOutcome(
                result.code,
                result.label,
                Status.NOT_ACHIEVED,
                f"paid only with {', '.join(missing)}",
                current.conditions,
            )
        elif clashing:
            current = ResultOutcome(
                result.code, result.label, Status.NOT_ACHIEVED, f"not with {', '.join(clashing)}", current.conditions
            )
        outcomes[result.code] = current
    for result in rules.results:
        current = outcomes[result.code]
        if current.status.is_payable and family.claimed_results & {result.code, *result.not_with}:
            code = result.code
            outcomes[code] = ResultOutcome(
                code, current.label, Status.ALREADY_CLAIMED, "claimed before for this family", current.conditions
            )
    return FamilyOutcome(family.family_id, rules.label, as_of, tuple(outcomes[result.code] for result in rules.results))


def sustained_after_closure_due(rules: ResultsRules, *, closed_on: dt.date | None, as_of: dt.date) -> bool:
    """supporting-families-2022: a claim can be made only this many months after the case closed."""
    return closed_on is not None and months_after(closed_on, rules.sustained_months_after_closure) <= as_of
