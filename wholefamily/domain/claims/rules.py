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
    NOT_CLAIMABLE = "not_claimable"  # result level: the case lacks what a claim needs (lead worker, assessment, plan)

    @property
    def is_payable(self) -> bool:
        return self is Status.ACHIEVED

    @property
    def label(self) -> str:
        """The word an auditor reads for the status (pages, the evidence pack, the command's CSV)."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ACHIEVED: "Met",
    Status.NOT_ACHIEVED: "Not met",
    Status.VOID: "Void",
    Status.NOT_YET: "Not yet due",
    Status.MISSING: "No data",
    Status.NEUTRAL: "Neutral",
    Status.NOT_APPLICABLE: "Does not apply",
    Status.EXCLUDED: "Excluded: on the ESF provision or Work Programme",
    Status.ALREADY_CLAIMED: "Claimed before",
    Status.NOT_CLAIMABLE: "Not claimable from the case",
}

CASE_REQUIREMENTS = {
    "lead_worker": "a lead worker",
    "whole_family_assessment": "a whole-family assessment",
    "plan": "a plan",
}


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
class BenefitGroup:
    """Continuous employment: the out-of-work benefits an adult came off, and how many weeks in work of the last
    `of_weeks` that benefit asks for (the financial frameworks' weeks, a parameter of the definition)."""

    code: str
    label: str
    records: Indicator
    weeks_in_work: int
    of_weeks: int
    source: str = ""

    def key(self, condition: str) -> str:
        return f"{condition}_benefits_{self.code}"


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
    benefits: tuple[BenefitGroup, ...] = ()
    provision: Indicator | None = None
    choice: str = ""
    indicators: tuple[str, ...] = ()  # the identification indicators this condition judges progress on

    @property
    def subject(self) -> criteria.Subject:
        return self.records.subject if self.records is not None else criteria.Subject()

    @property
    def selectors(self) -> dict[str, Indicator]:
        """The record selectors this condition reads, keyed as Person.records is (code, code_benefits...)."""
        found = {self.code: self.records, f"{self.code}_provision": self.provision}
        found.update({group.key(self.code): group.records for group in self.benefits})
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
    school_leaving_age: int = 16  # a child leaves school at the end of the school year they reach this age
    claim_requires: tuple[str, ...] = ()  # what the case must hold for a claim (CASE_REQUIREMENTS)

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
        indicators=tuple(criteria._code(item, f"{where}.indicators") for item in raw.get("indicators") or ()),
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
        changes["provision"] = _selector(
            {"subject": raw.get("subject", "adult"), **criteria._require(raw, "provision", where)},
            code=f"{code}_provision",
            problem=problem,
            rule=criteria.Rule.SPELL,
            lists=lists,
            window=None,
        )
        changes["benefits"] = _benefit_groups(raw, code=code, problem=problem, lists=lists, where=where)
    return Condition(**{**condition.__dict__, **changes})


def _benefit_groups(
    raw: Mapping[str, Any], *, code: str, problem: str, lists: Mapping[str, tuple[str, ...]], where: str
) -> tuple[BenefitGroup, ...]:
    """continuous_employment's `benefits`: a list of groups, each its records and its weeks in work of a window."""
    items = criteria._require(raw, "benefits", where)
    if not isinstance(items, list) or not items:
        raise DefinitionError(f"{where}: benefits is a list of groups (code, weeks_in_work, of_weeks, records)")
    groups = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise DefinitionError(f"{where}.benefits[{index}]: a mapping")
        group = criteria._code(item.get("code"), f"{where}.benefits[{index}].code")
        weeks = criteria._int(criteria._require(item, "weeks_in_work", f"{where}.benefits.{group}"), group, minimum=1)
        of_weeks = criteria._int(criteria._require(item, "of_weeks", f"{where}.benefits.{group}"), group, minimum=1)
        if weeks > of_weeks:
            raise DefinitionError(f"{where}.benefits.{group}: weeks_in_work is at most of_weeks")
        selector = {key: value for key, value in item.items() if key not in ("code", "weeks_in_work", "of_weeks")}
        groups.append(
            BenefitGroup(
                code=group,
                label=str(item.get("label", group)),
                records=_selector(
                    {"subject": raw.get("subject", "adult"), **selector},
                    code=f"{code}_benefits_{group}",
                    problem=problem,
                    rule=criteria.Rule.SPELL,
                    lists=lists,
                    window=None,
                ),
                weeks_in_work=weeks,
                of_weeks=of_weeks,
                source=str(item.get("source", "")),
            )
        )
    if len({group.code for group in groups}) != len(groups):
        raise DefinitionError(f"{where}: benefit group codes are unique")
    return tuple(groups)


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
        school_leaving_age=criteria._int(raw.get("school_leaving_age", 16), f"{code}.school_leaving_age", minimum=1),
        claim_requires=criteria._strings(raw.get("claim_requires") or [], f"{code}.claim_requires"),
    )
    unknown = sorted(set(rules.claim_requires) - set(CASE_REQUIREMENTS))
    if unknown:
        raise DefinitionError(f"{code}: claim_requires {unknown}; known: {sorted(CASE_REQUIREMENTS)}")
    if any(item.rule is ConditionRule.SUSTAINED_PROGRESS for item in conditions) and not rules.framework:
        raise DefinitionError(f"{code}: sustained_progress needs the outcomes framework it reads (framework:)")
    return rules


def unmeasured_indicators(rules: ResultsRules, programme: criteria.Programme) -> list[str]:
    """The indicators of the programme's counted problems that no condition judges progress on (a condition names
    them in `indicators:`, under the same problem). With sustained progress the outcomes framework's measures judge
    them instead (domain/outcomes/framework.py `unmeasured_indicators`): none is listed here."""
    if any(condition.rule is ConditionRule.SUSTAINED_PROGRESS for condition in rules.conditions):
        return []
    named = {(code, condition.problem) for condition in rules.conditions for code in condition.indicators}
    counted = set(programme.counted_problems)
    return [
        indicator.code
        for indicator in programme.indicators
        if indicator.problem in counted and (indicator.code, indicator.problem) not in named
    ]


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
    case_holds: frozenset[str] = frozenset()  # of CASE_REQUIREMENTS: what the family's case holds


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


def school_leaving_date(born_on: dt.date, *, leaving_age: int = 16) -> dt.date:
    """The last Friday of June of the school year (1 September to 31 August) in which the child turns
    `leaving_age`: the end of Year 11, the day a child may leave school (Education (School Leaving Date) Order 1997)."""
    birthday = months_after(born_on, 12 * leaving_age)
    year = birthday.year + 1 if birthday.month >= 9 else birthday.year
    last = dt.date(year, 6, 30)
    return last - dt.timedelta(days=(last.weekday() - 4) % 7)


def _left_school(person: Person, high: dt.date, leaving_age: int) -> bool:
    if person.left_school_on is not None and person.left_school_on <= high:
        return True
    return person.born_on is not None and school_leaving_date(person.born_on, leaving_age=leaving_age) <= high


# (had the problem before the start, has it in the period) -> the child's status
_CHILD_STATUS = {
    (True, False): Status.ACHIEVED,
    (True, True): Status.NOT_ACHIEVED,
    (False, True): Status.VOID,  # another member started the same problem
    (False, False): Status.NEUTRAL,
}


def _per_child(
    condition: Condition, family: Family, as_of: dt.date, calendar: TermCalendar, school_leaving_age: int = 16
) -> list[MemberOutcome]:
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
        if _left_school(person, high, school_leaving_age):
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
    """The family's records (every member of the subject, a member with none before included) down reduction_percent
    on the same months before the start (Working Together With Families (Lancashire, 2013) s3.3: "across the family",
    "by all minors")."""
    assert isinstance(condition.period, MonthsWindow)
    low, high = condition.period.bounds(as_of)
    before_low, before_high = condition.period.bounds(family.start_on - dt.timedelta(days=1))
    counted: list[tuple[Person, list[Record], list[Record]]] = []
    for person in family.people:
        if not (person.in_family_on(family.start_on) and person.aged(condition.subject, family.start_on)):
            continue
        records = person.records.get(condition.code, ())
        counted.append((person, _count(records, before_low, before_high), _count(records, low, high)))
    before_total = sum(len(before) for _, before, _ in counted)
    after_total = sum(len(after) for _, _, after in counted)
    reason = f"{after_total} in the period, {before_total} in the {condition.period.months} months before the start"
    if before_total == 0:
        status = Status.NOT_APPLICABLE
    else:
        is_fewer = after_total * 100 <= before_total * (100 - condition.reduction_percent)
        status = Status.ACHIEVED if is_fewer else Status.NOT_ACHIEVED
        reason += f" (the family's total; at most {100 - condition.reduction_percent}% of the earlier count)"
    rows = [
        MemberOutcome(
            person.person_id,
            person.label,
            status if before or after else Status.NEUTRAL,
            str(len(before)),
            str(len(after)),
            tuple(record.ref for record in (*before, *after)),
        )
        for person, before, after in counted
    ]
    return status, reason, rows


def _covers(spells: Sequence[Record], low: dt.date, high: dt.date) -> bool:
    """Whether the spells together (any employer, back to back) cover every day from low to high."""
    reached = low - dt.timedelta(days=1)
    for spell in sorted(spells, key=lambda record: record.on):
        if spell.on > reached + dt.timedelta(days=1):
            break
        reached = max(reached, spell.end_on or high)
        if reached >= high:
            return True
    return reached >= high


def weeks_in_work(
    *, work: Sequence[Record], out_of_work: Sequence[Record], as_of: dt.date, of_weeks: int
) -> tuple[int, dt.date]:
    """Of the last `of_weeks` weeks to `as_of` (7 days each, counted back), how many an adult was in work: employment
    (one employer or several back to back) on every day of the week and no out-of-work benefit open on any day of it.
    Returns the count and the first day of the window."""
    count = 0
    for back in range(of_weeks):
        high = as_of - dt.timedelta(days=7 * back)
        low = high - dt.timedelta(days=6)
        if _covers(work, low, high) and not _overlapping(out_of_work, low, high):
            count += 1
    return count, as_of - dt.timedelta(days=7 * of_weeks - 1)


def _came_off(condition: Condition, person: Person, low: dt.date, high: dt.date) -> tuple[BenefitGroup, list[Record]]:
    """The benefit group an adult came off: the group of their latest claim open in the look-back (ties: the group
    asking for more weeks); none when no claim was open then."""
    found: list[tuple[dt.date, int, int, BenefitGroup, list[Record]]] = []
    for index, group in enumerate(condition.benefits):
        claims = _overlapping(person.records.get(group.key(condition.code), ()), low, high)
        if claims:
            latest = max(record.on for record in claims)
            found.append((latest, group.of_weeks, -index, group, claims))
    if not found:
        return condition.benefits[0], []
    _, _, _, group, claims = max(found, key=lambda item: item[:3])
    return group, claims


def _employment(condition: Condition, family: Family, as_of: dt.date) -> tuple[Status, list[MemberOutcome]]:
    """Continuous employment (the financial frameworks): an adult on an out-of-work benefit in the look-back before
    the start, in work for the weeks their benefit asks for (weeks_in_work of the last of_weeks), the whole window
    after the start; not on the ESF provision or Work Programme."""
    assert isinstance(condition.period, MonthsWindow)
    before_low, before_high = condition.period.bounds(family.start_on)
    rows = []
    for person in family.people:
        if not (person.in_family_on(family.start_on) and person.aged(condition.subject, family.start_on)):
            continue
        group, claimed = _came_off(condition, person, before_low, before_high)
        if not claimed:
            continue
        benefits = [r for item in condition.benefits for r in person.records.get(item.key(condition.code), ())]
        provision = _overlapping(person.records.get(f"{condition.code}_provision", ()), family.start_on, as_of)
        work_records = person.records.get(condition.code, ())
        count, low = weeks_in_work(work=work_records, out_of_work=benefits, as_of=as_of, of_weeks=group.of_weeks)
        work = _overlapping(work_records, low, as_of)
        still = _overlapping(benefits, low, as_of)
        refs = tuple(dict.fromkeys(record.ref for record in (*claimed, *work, *still, *provision)))
        before = f"{group.label} ({len(claimed)} claim(s) in the {condition.period.months} months to the start)"
        target = f"{group.weeks_in_work} of the last {group.of_weeks} weeks"
        if provision:
            status, after = Status.EXCLUDED, "on the ESF provision or Work Programme: not claimed for employment"
        elif person.left_on is not None and person.left_on < as_of:
            status, after = Status.NEUTRAL, f"left the family on {person.left_on.day} {person.left_on:%B %Y}"
        elif low < family.start_on:
            status, after = Status.NOT_YET, f"the {group.of_weeks} weeks after the start are not over ({target})"
        else:
            status = Status.ACHIEVED if count >= group.weeks_in_work else Status.NOT_ACHIEVED
            after = (
                f"in work {count} of the last {group.of_weeks} weeks from {low.day} {low:%B %Y} "
                f"(needs {group.weeks_in_work})"
            )
        rows.append(MemberOutcome(person.person_id, person.label, status, before, after, refs))
    statuses = {row.status for row in rows}
    for status in (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.NOT_YET):
        if status in statuses:
            return status, rows
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
    condition: Condition, *, family: Family, as_of: dt.date, calendar: TermCalendar, school_leaving_age: int = 16
) -> ConditionOutcome:
    """One condition for one family as of the claim date (rules: the module docstring and the definition's choices)."""
    if condition.problem not in family.problems:
        return ConditionOutcome(
            condition.code, condition.label, Status.NOT_APPLICABLE, "the family did not have this problem"
        )
    low, high = _bounds(condition.period, as_of, calendar)
    if condition.rule is ConditionRule.CONTINUOUS_EMPLOYMENT:  # each adult's own window of weeks, checked per adult
        low = as_of - dt.timedelta(days=7 * max(group.of_weeks for group in condition.benefits) - 1)

    def outcome(status: Status, reason: str, rows: Sequence[MemberOutcome] = ()) -> ConditionOutcome:
        return ConditionOutcome(condition.code, condition.label, status, reason, low, high, tuple(rows))

    if low < family.start_on and condition.rule is not ConditionRule.CONTINUOUS_EMPLOYMENT:
        return outcome(Status.NOT_YET, "the period after the start is not over yet")
    if condition.rule is ConditionRule.FAMILY_FEWER_EVENTS:
        status, reason, rows = _family_fewer(condition, family, as_of)
        if status is Status.NOT_APPLICABLE:  # nothing before the start: the family did not have it, data or not
            return outcome(status, reason, rows)
    kinds = {selector.kind for selector in condition.selectors.values()}
    short = sorted(kind for kind in kinds if family.covered_to.get(kind) is None or family.covered_to[kind] < high)
    if short:
        return outcome(Status.MISSING, f"no data to {high} for {', '.join(short)}")
    if condition.rule in (ConditionRule.FEWER_THAN, ConditionRule.ATTENDANCE_BELOW):
        rows = _per_child(condition, family, as_of, calendar, school_leaving_age)
        status = combine(row.status for row in rows)
        reason = "each child measured" if rows else "no child in the family at the start"
        if status is Status.VOID:
            reason = "another child started the same problem"
        if status is Status.NEUTRAL:
            reason = "every child left school or the family"
        return outcome(status, reason, rows)
    if condition.rule is ConditionRule.FAMILY_FEWER_EVENTS:
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
        item.code: evaluate_condition(
            item,
            family=family,
            as_of=as_of,
            calendar=rules.term_calendar,
            school_leaving_age=rules.school_leaving_age,
        )
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
    lacking = [CASE_REQUIREMENTS[code] for code in rules.claim_requires if code not in family.case_holds]
    for result in rules.results:
        current = outcomes[result.code]
        if current.status.is_payable and lacking:
            reason = f"no claim without {', '.join(lacking)} on the case"
            outcomes[result.code] = ResultOutcome(
                result.code, current.label, Status.NOT_CLAIMABLE, reason, current.conditions
            )
            continue
        if current.status.is_payable and family.claimed_results & {result.code, *result.not_with}:
            code = result.code
            outcomes[code] = ResultOutcome(
                code, current.label, Status.ALREADY_CLAIMED, "claimed before for this family", current.conditions
            )
    return FamilyOutcome(family.family_id, rules.label, as_of, tuple(outcomes[result.code] for result in rules.results))


def why_not_payable(outcome: FamilyOutcome) -> str:
    """Why a family is not paid in the window, in words: each result with its status and the conditions that hold it
    back (empty when a result is payable)."""
    if outcome.payable:
        return ""
    reasons = []
    for result in outcome.results:
        blocking = [
            f"{part.label}: {part.status.label.lower()} ({part.reason})"
            for part in result.conditions
            if part.status not in (Status.ACHIEVED, Status.NEUTRAL, Status.NOT_APPLICABLE)
        ]
        detail = "; ".join(blocking) if blocking else result.reason
        reasons.append(f"{result.label}: {result.status.label.lower()} - {detail}")
    return ". ".join(reasons)


def sustained_after_closure_due(rules: ResultsRules, *, closed_on: dt.date | None, as_of: dt.date) -> bool:
    """supporting-families-2022: a claim can be made only this many months after the case closed."""
    return closed_on is not None and months_after(closed_on, rules.sustained_months_after_closure) <= as_of
