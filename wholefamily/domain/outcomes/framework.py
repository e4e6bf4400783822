"""Outcomes frameworks (Together for Families update (Cambridgeshire, 2014), section 3): aims, outcomes, outcome
measures and performance measures, per programme and council, read from `programmes/outcomes/*.yaml`.

Each outcome measure is tied to one headline problem of the programme's criteria definition and says what
"significant and sustained progress" is: the measure over linked agency data, the threshold and the period it must
hold. The records a measure reads are described exactly as identification's indicators are (dataset kind, date
column, conditions, subject, window) and parsed by the same parser, so the same SQL generator selects them.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.criteria import schema as criteria
from wholefamily.domain.criteria.schema import DefinitionError, Indicator, Programme
from wholefamily.domain.criteria.windows import MonthsWindow, TermCalendar, TermsWindow, Window

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class MeasureRule(enum.StrEnum):
    """What "significant and sustained progress" means for one measure."""

    ATTENDANCE_BELOW = "attendance_below"  # absence below threshold_percent over the period's terms
    NO_EVENTS = "no_events"  # no qualifying record dated in the period
    FEWER_THAN = "fewer_than"  # fewer than max_count qualifying records dated in the period
    FEWER_EVENTS = "fewer_events"  # at least reduction_percent fewer records in the period than in as long before
    NO_SPELL = "no_spell"  # no qualifying spell open on any day of the period
    DISTANCE_TRAVELLED = "distance_travelled"  # an item's score at or below max_score at the last two reviews


# The identification rule that selects a measure's records (criteria/schema.py).
_SELECTOR_RULE = {
    MeasureRule.ATTENDANCE_BELOW: criteria.Rule.ATTENDANCE,
    MeasureRule.NO_EVENTS: criteria.Rule.EVENT,
    MeasureRule.FEWER_THAN: criteria.Rule.EVENT,
    MeasureRule.FEWER_EVENTS: criteria.Rule.EVENT,
    MeasureRule.NO_SPELL: criteria.Rule.SPELL,
}


class PerformanceKind(enum.StrEnum):
    """Results Based Accountability (Commissioning for Families with Complex Needs, Appendix E;
    Together for Families update (Cambridgeshire, 2014), s3.3)."""

    HOW_MUCH = "how_much"
    HOW_WELL = "how_well"
    BETTER_OFF = "better_off"

    @property
    def label(self) -> str:
        return {
            PerformanceKind.HOW_MUCH: "How much did we do?",
            PerformanceKind.HOW_WELL: "How well did we do it?",
            PerformanceKind.BETTER_OFF: "Is anyone better off?",
        }[self]


@dataclass(frozen=True)
class Aim:
    code: str
    text: str


@dataclass(frozen=True)
class Outcome:
    code: str
    aim: str
    text: str


@dataclass(frozen=True)
class OutcomeMeasure:
    code: str
    outcome: str
    problem: str
    label: str
    source: str
    rule: MeasureRule
    period: Window | None
    records: Indicator | None  # the agency records the measure reads (None for distance travelled)
    threshold_percent: Decimal = Decimal(0)
    reduction_percent: Decimal = Decimal(0)
    item: str = ""  # distance travelled item
    max_score: int = 0
    max_count: int = 0  # fewer_than: fewer than this many records in the period
    choice: str = ""
    indicators: tuple[str, ...] = ()  # the identification indicators this measure judges progress on
    baseline: Window | None = None  # how far before the start a member "had the problem" (default: the period)

    @property
    def baseline_window(self) -> Window | None:
        return self.baseline if self.baseline is not None else self.period

    @property
    def subject(self) -> criteria.Subject:
        return self.records.subject if self.records is not None else criteria.Subject()

    @property
    def kind(self) -> str:
        return self.records.kind if self.records is not None else ""

    @property
    def period_label(self) -> str:
        if isinstance(self.period, MonthsWindow):
            return f"{self.period.months} months"
        if isinstance(self.period, TermsWindow):
            return f"{self.period.terms} consecutive terms"
        return "the last two reviews"


@dataclass(frozen=True)
class PerformanceMeasure:
    code: str
    kind: PerformanceKind
    label: str
    source: str


@dataclass(frozen=True)
class Framework:
    code: str
    version: int
    title: str
    programme: str
    council: str
    sources: tuple[str, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    before_months: int
    after_months: int
    aims: tuple[Aim, ...]
    outcomes: tuple[Outcome, ...]
    measures: tuple[OutcomeMeasure, ...]
    performance_measures: tuple[PerformanceMeasure, ...]
    choices: tuple[criteria.Choice, ...] = ()
    term_calendar: TermCalendar = field(default_factory=TermCalendar)

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"

    def measures_of(self, problem: str) -> tuple[OutcomeMeasure, ...]:
        return tuple(measure for measure in self.measures if measure.problem == problem)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({measure.kind for measure in self.measures if measure.kind}))


# --- parsing --------------------------------------------------------------------------------------------------------


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise DefinitionError(f"{where}: {value!r} is not a code (lower case letters, digits and _)")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if value is None or str(value).strip() == "":
        raise DefinitionError(f"{where}: '{key}' is required")
    return str(value)


def _percent(raw: Mapping[str, Any], key: str, where: str) -> Decimal:
    if key not in raw:
        raise DefinitionError(f"{where}: '{key}' is required")
    value = Decimal(str(raw[key]))
    if not Decimal(0) < value <= Decimal(100) or value != value.quantize(Decimal("0.01")):
        raise DefinitionError(f"{where}: {key} is above 0 and at most 100, to 2 decimal places")
    return value


def _records(raw: Mapping[str, Any], rule: MeasureRule, code: str, problem: str) -> Indicator:
    """The records the measure reads, parsed by identification's indicator parser (same checks, same SQL)."""
    selector = {
        key: raw[key]
        for key in ("label", "source", "subject", "kind", "date_column", "end_column", "where", "absence")
        if key in raw
    }
    selector.update(code=code, problem=problem, rule=_SELECTOR_RULE[rule].value, window=raw.get("period"))
    if rule is MeasureRule.ATTENDANCE_BELOW:
        selector["threshold_percent"] = raw.get("threshold_percent")
    return criteria.indicator(selector, {}, f"outcome measure {code}")


def _measure(raw: Any, index: int) -> OutcomeMeasure:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"outcome_measures[{index}]: a mapping")
    code = _code(raw.get("code"), f"outcome_measures[{index}].code")
    where = f"outcome measure {code}"
    try:
        rule = MeasureRule(str(raw.get("rule")))
    except ValueError as error:
        raise DefinitionError(f"{where}: rule is one of {', '.join(r.value for r in MeasureRule)}") from error
    problem = _code(raw.get("problem"), f"{where}.problem")
    measure = OutcomeMeasure(
        code=code,
        outcome=_code(raw.get("outcome"), f"{where}.outcome"),
        problem=problem,
        label=_text(raw, "label", where),
        source=_text(raw, "source", where),
        rule=rule,
        period=None,
        records=None,
        choice=str(raw.get("choice", "")),
        indicators=tuple(_code(item, f"{where}.indicators") for item in raw.get("indicators") or ()),
        baseline=None if raw.get("baseline") is None else criteria._window(raw["baseline"], f"{where}.baseline"),
    )
    if rule is MeasureRule.DISTANCE_TRAVELLED:
        max_score = raw.get("max_score")
        if not isinstance(max_score, int) or not 1 <= max_score <= 5:
            raise DefinitionError(f"{where}: max_score is a score from 1 to 5")
        return replace(measure, item=_code(raw.get("item"), f"{where}.item"), max_score=max_score)
    if raw.get("period") is None:
        raise DefinitionError(f"{where}: period is required (how long the progress must hold)")
    records = _records(raw, rule, code, problem)
    measure = replace(measure, period=records.window, records=records)
    if rule is MeasureRule.ATTENDANCE_BELOW:
        return replace(measure, threshold_percent=_percent(raw, "threshold_percent", where))
    if rule is MeasureRule.FEWER_THAN:
        max_count = raw.get("max_count")
        if not isinstance(max_count, int) or max_count < 1:
            raise DefinitionError(f"{where}: max_count is a whole number from 1")
        return replace(measure, max_count=max_count)
    if rule is MeasureRule.FEWER_EVENTS:
        if not isinstance(records.window, MonthsWindow):
            raise DefinitionError(f"{where}: fewer_events compares periods of months")
        return replace(measure, reduction_percent=_percent(raw, "reduction_percent", where))
    if rule is MeasureRule.NO_SPELL and not isinstance(records.window, MonthsWindow):
        raise DefinitionError(f"{where}: no_spell needs a period of months")
    return measure


def parse_framework(raw: Mapping[str, Any]) -> Framework:
    """Parse and check an outcomes framework: aims, outcomes and measures refer to each other, every measure cites
    its source and has a period."""
    where = "framework"
    code = str(raw.get("framework") or "")
    if not re.match(r"^[a-z0-9][a-z0-9\-]{0,62}$", code):
        raise DefinitionError(f"framework: {code!r} is not a framework code (lower case, digits and -)")
    points = raw.get("measurement_points") or {}
    aims = tuple(Aim(_code(a.get("code"), "aims"), _text(a, "text", "aims")) for a in raw.get("aims") or ())
    outcomes = tuple(
        Outcome(_code(o.get("code"), "outcomes"), _code(o.get("aim"), "outcomes.aim"), _text(o, "text", "outcomes"))
        for o in raw.get("outcomes") or ()
    )
    measures = tuple(_measure(item, index) for index, item in enumerate(raw.get("outcome_measures") or ()))
    performance = tuple(
        PerformanceMeasure(
            _code(p.get("code"), "performance_measures"),
            PerformanceKind(p.get("kind")),
            _text(p, "label", "performance_measures"),
            _text(p, "source", "performance_measures"),
        )
        for p in raw.get("performance_measures") or ()
    )
    sources = raw.get("source")
    if not sources:
        raise DefinitionError("framework: 'source' is required")
    effective_to = raw.get("effective_to")
    framework = Framework(
        code=code,
        version=int(raw.get("version") or 0),
        title=_text(raw, "title", where),
        programme=_text(raw, "programme", where),
        council=_text(raw, "council", where),
        sources=(sources,) if isinstance(sources, str) else tuple(str(s) for s in sources),
        effective_from=criteria.date(raw.get("effective_from"), "effective_from"),
        effective_to=None if not effective_to else criteria.date(effective_to, "effective_to"),
        before_months=int(points.get("before_months", 12)),
        after_months=int(points.get("after_months", 12)),
        aims=aims,
        outcomes=outcomes,
        measures=measures,
        performance_measures=performance,
        choices=tuple(
            criteria.Choice(_text(c, "topic", "choices"), _text(c, "choice", "choices"), _text(c, "reason", "choices"))
            for c in raw.get("choices") or ()
        ),
        term_calendar=criteria.term_calendar(raw.get("school_terms")),
    )
    _check(framework)
    return framework


def _check(framework: Framework) -> None:
    if framework.version < 1:
        raise DefinitionError(f"{framework.code}: version is a whole number from 1")
    for label, codes in (
        ("aim", [a.code for a in framework.aims]),
        ("outcome", [o.code for o in framework.outcomes]),
        ("outcome measure", [m.code for m in framework.measures]),
        ("performance measure", [p.code for p in framework.performance_measures]),
    ):
        if not codes:
            raise DefinitionError(f"{framework.code}: at least one {label}")
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise DefinitionError(f"{framework.code}: duplicate {label} codes {duplicates}")
    aims = {a.code for a in framework.aims}
    for outcome in framework.outcomes:
        if outcome.aim not in aims:
            raise DefinitionError(f"outcome {outcome.code}: unknown aim {outcome.aim!r}")
    outcomes = {o.code for o in framework.outcomes}
    for measure in framework.measures:
        if measure.outcome not in outcomes:
            raise DefinitionError(f"outcome measure {measure.code}: unknown outcome {measure.outcome!r}")
    if not {PerformanceKind(p.kind) for p in framework.performance_measures} == set(PerformanceKind):
        raise DefinitionError(f"{framework.code}: performance measures for how much, how well and better off")
    if framework.before_months < 1 or framework.after_months < 1:
        raise DefinitionError(f"{framework.code}: measurement_points months are at least 1")


def unmeasured_indicators(framework: Framework, programme: Programme) -> list[str]:
    """The indicators of the programme's counted problems that no outcome measure judges progress on (a measure
    names them in `indicators:`, under the same problem). A family found by such an indicator could never show
    progress on its problem, so a shipped framework has none."""
    named = {(code, measure.problem) for measure in framework.measures for code in measure.indicators}
    counted = set(programme.counted_problems)
    return [
        indicator.code
        for indicator in programme.indicators
        if indicator.problem in counted and (indicator.code, indicator.problem) not in named
    ]


def check_against_programme(framework: Framework, programme: Programme) -> None:
    """Every measure is tied to a headline problem of the programme, every counted headline problem has one
    (Together for Families update (Cambridgeshire, 2014) s3.1: "what a significantly improved outcome is for all of
    six headline family problems"), and every indicator that can make a family qualify has a measure of progress."""
    if framework.programme != programme.code:
        raise DefinitionError(f"{framework.code}: written for {framework.programme}, not {programme.code}")
    problems = {problem.code for problem in programme.problems}
    for measure in framework.measures:
        if measure.problem not in problems:
            raise DefinitionError(
                f"outcome measure {measure.code}: {measure.problem!r} is not a problem of {programme.code}"
            )
    missing = [code for code in programme.counted_problems if not framework.measures_of(code)]
    if missing:
        raise DefinitionError(f"{framework.code}: no outcome measure for the headline problems {missing}")
    indicators = {indicator.code for indicator in programme.indicators}
    for measure in framework.measures:
        unknown = sorted(set(measure.indicators) - indicators)
        if unknown:
            raise DefinitionError(f"outcome measure {measure.code}: {unknown} are not indicators of {programme.code}")
    unmeasured = unmeasured_indicators(framework, programme)
    if unmeasured:
        raise DefinitionError(f"{framework.code}: no outcome measure judges progress on the indicators {unmeasured}")


def load_framework(path: Path) -> Framework:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, Mapping):
        raise DefinitionError(f"{path.name}: not a mapping")
    try:
        framework = parse_framework(loaded)
    except (DefinitionError, ValueError, TypeError, KeyError) as error:
        raise DefinitionError(f"{path.name}: {error}") from error
    if path.name != f"{framework.code}.yaml":
        raise DefinitionError(f"{path.name}: file name should be {framework.code}.yaml")
    return framework


def load_frameworks(directory: Path) -> dict[str, Framework]:
    return {framework.code: framework for framework in map(load_framework, sorted(directory.glob("*.yaml")))}


def as_programme(framework: Framework) -> Programme:
    """The framework's record selectors as a programme of indicators, so identification's contract check, input
    registration and SQL generation serve both (one engine)."""
    indicators = tuple(measure.records for measure in framework.measures if measure.records is not None)
    problems = tuple(
        criteria.Problem(code=code, label=code, source="outcomes framework")
        for code in dict.fromkeys(indicator.problem for indicator in indicators)
    )
    return Programme(
        code=framework.code,
        version=framework.version,
        title=framework.title,
        sources=framework.sources,
        effective_from=framework.effective_from,
        effective_to=framework.effective_to,
        family=criteria.FamilyRule(description="the families worked with"),
        problems=problems,
        indicators=indicators,
        routes=(),
        term_calendar=framework.term_calendar,
    )
