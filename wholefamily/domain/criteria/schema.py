"""Programme definitions: the schema of `programmes/*.yaml` and its loader and validator.

A definition is data: headline problems, the indicators behind each (which dataset kind, which records, which
window, which members), the qualifying routes, and the choices made where the source documents are ambiguous.
Pure: parses plain mappings into frozen dataclasses; the SQL generator (sql.py) evaluates them.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.criteria.windows import MonthsWindow, TermCalendar, TermsWindow, Window

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_LITERAL = re.compile(r"^[A-Za-z0-9_\-. ]{1,64}$")


class DefinitionError(ValueError):
    """A programme definition file is malformed or refers to something that does not exist."""


class Rule(enum.StrEnum):
    EVENT = "event"  # records dated inside a window (at least min_count of them)
    SPELL = "spell"  # records with a start and an optional end: open on the as-of date, or overlapping a window
    ATTENDANCE = "attendance"  # absence share over the last N completed terms at or above a threshold
    JUDGEMENT = "judgement"  # entered by staff on a person or a family, with who, when and why


class Operator(enum.StrEnum):
    IN = "in"  # column value among `values` (literal codes, or a named list of the definition)
    NOT_IN = "not_in"
    IS_TRUE = "is_true"
    CODELIST_FLAG = "codelist_flag"  # the column's code list marks the code with attribute `flag` true
    BEFORE_AS_OF_PLUS_MONTHS = "before_as_of_plus_months"  # a date strictly before as-of + N months
    AFTER_AS_OF = "after_as_of"  # a date strictly after the as-of date (still ahead)


class Absence(enum.StrEnum):
    TOTAL = "total"  # authorised and unauthorised sessions
    UNAUTHORISED = "unauthorised"


class Comparison(enum.StrEnum):
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"


@dataclass(frozen=True)
class Condition:
    column: str
    operator: Operator
    values: tuple[str, ...] = ()
    flag: str = ""
    months: int = 0


@dataclass(frozen=True)
class Subject:
    """Which members an indicator looks at, by whole years of age on the as-of date (both bounds inclusive)."""

    min_age: int | None = None
    max_age: int | None = None

    @property
    def label(self) -> str:
        if self.min_age is None and self.max_age is None:
            return "any member"
        if self.min_age is None:
            return f"aged {self.max_age} or under"
        if self.max_age is None:
            return f"aged {self.min_age} or over"
        return f"aged {self.min_age} to {self.max_age}"


@dataclass(frozen=True)
class Indicator:
    code: str
    problem: str
    label: str
    source: str
    rule: Rule
    subject: Subject
    kind: str = ""
    date_column: str = ""
    end_column: str = ""
    window: Window | None = None
    conditions: tuple[Condition, ...] = ()
    min_count: int = 1
    threshold_percent: Decimal = Decimal(0)
    comparison: Comparison = Comparison.AT_LEAST
    absence: Absence = Absence.TOTAL
    choice: str = ""


@dataclass(frozen=True)
class Problem:
    code: str
    label: str
    source: str
    is_counted: bool = True  # False: a filter (e.g. the 2012 local discretion filter), not a headline problem


@dataclass(frozen=True)
class Route:
    """A way to qualify: at least `min_problems` of `of` (counted problems when empty), and every one of `requires`."""

    code: str
    label: str
    min_problems: int
    of: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    """A rule the sources leave open, the reading taken, and why."""

    topic: str
    choice: str
    reason: str


@dataclass(frozen=True)
class FamilyRule:
    """Which households are families: a member aged `dependent_child_max_age` or under, or any of `also_if`."""

    description: str
    dependent_child_max_age: int = 17
    also_if: tuple[str, ...] = ()


@dataclass(frozen=True)
class Programme:
    code: str
    version: int
    title: str
    sources: tuple[str, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    family: FamilyRule
    problems: tuple[Problem, ...]
    indicators: tuple[Indicator, ...]
    routes: tuple[Route, ...]
    choices: tuple[Choice, ...] = ()
    term_calendar: TermCalendar = field(default_factory=TermCalendar)
    estimate_per_1000: Decimal | None = None  # the estimated rate of qualifying families, for need by area
    estimate_source: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def counted_problems(self) -> tuple[str, ...]:
        return tuple(problem.code for problem in self.problems if problem.is_counted)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({indicator.kind for indicator in self.indicators if indicator.kind}))

    def indicators_of(self, problem: str) -> tuple[Indicator, ...]:
        return tuple(indicator for indicator in self.indicators if indicator.problem == problem)

    def is_effective_on(self, value: dt.date) -> bool:
        return self.effective_from <= value and (self.effective_to is None or value <= self.effective_to)


# --- parsing --------------------------------------------------------------------------------------------------------


def _require(raw: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in raw or raw[key] in (None, ""):
        raise DefinitionError(f"{where}: '{key}' is required")
    return raw[key]


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise DefinitionError(f"{where}: {value!r} is not a code (lower case letters, digits and _)")
    return value


def _literal(value: Any, where: str) -> str:
    text = str(value)
    if isinstance(value, bool) or not _LITERAL.match(text):
        raise DefinitionError(f"{where}: {value!r} is not a plain code value")
    return text


def date(value: Any, where: str) -> dt.date:
    """A definition's date, given as a date or YYYY-MM-DD text (DefinitionError naming `where` otherwise)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise DefinitionError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from error


def _int(value: Any, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DefinitionError(f"{where}: {value!r} is not a whole number of at least {minimum}")
    return int(value)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Sequence) or not all(isinstance(item, str) for item in value):
        raise DefinitionError(f"{where}: expected text or a list of text")
    return tuple(value)


def _window(raw: Any, where: str) -> Window | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise DefinitionError(f"{where}: window is one of {{months: N}} or {{terms: N}}")
    if "months" in raw:
        return MonthsWindow(_int(raw["months"], f"{where}.months", minimum=1))
    if "terms" in raw:
        return TermsWindow(_int(raw["terms"], f"{where}.terms", minimum=1))
    raise DefinitionError(f"{where}: window is one of {{months: N}} or {{terms: N}}")


def _condition(raw: Any, lists: Mapping[str, tuple[str, ...]], where: str) -> Condition:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: a condition is a mapping")
    column = _code(_require(raw, "column", where), f"{where}.column")
    operators = [key for key in raw if key != "column"]
    if len(operators) != 1:
        raise DefinitionError(f"{where}: one operator per condition ({', '.join(o.value for o in Operator)})")
    name = operators[0]
    try:
        operator = Operator(name)
    except ValueError as error:
        raise DefinitionError(f"{where}: unknown operator {name!r}") from error
    value = raw[name]
    if operator in (Operator.IN, Operator.NOT_IN):
        if isinstance(value, str):
            if value not in lists:
                raise DefinitionError(f"{where}: unknown list {value!r}; the definition's lists: {sorted(lists)}")
            return Condition(column, operator, values=lists[value])
        values = tuple(_literal(item, f"{where}.{name}") for item in _strings(value, f"{where}.{name}"))
        if not values:
            raise DefinitionError(f"{where}: an empty list matches nothing")
        return Condition(column, operator, values=values)
    if operator in (Operator.IS_TRUE, Operator.AFTER_AS_OF):
        if value is not True:
            raise DefinitionError(f"{where}: write `{operator.value}: true`")
        return Condition(column, operator)
    if operator is Operator.CODELIST_FLAG:
        return Condition(column, operator, flag=_code(value, f"{where}.{name}"))
    return Condition(column, operator, months=_int(value, f"{where}.{name}", minimum=1))


def _subject(raw: Any, where: str) -> Subject:
    named = {"child": Subject(max_age=17), "adult": Subject(min_age=18), "any": Subject()}
    if isinstance(raw, str):
        if raw not in named:
            raise DefinitionError(f"{where}: subject is child, adult, any or {{min_age, max_age}}")
        return named[raw]
    if not isinstance(raw, Mapping) or not set(raw) <= {"min_age", "max_age"}:
        raise DefinitionError(f"{where}: subject is child, adult, any or {{min_age, max_age}}")
    low = None if raw.get("min_age") is None else _int(raw["min_age"], f"{where}.min_age")
    high = None if raw.get("max_age") is None else _int(raw["max_age"], f"{where}.max_age")
    if low is not None and high is not None and low > high:
        raise DefinitionError(f"{where}: min_age is above max_age")
    return Subject(min_age=low, max_age=high)


def _percent(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise DefinitionError(f"{where}: {value!r} is not a number") from error
    if not (Decimal(0) < number <= Decimal(100)) or number != number.quantize(Decimal("0.01")):
        raise DefinitionError(f"{where}: a percentage above 0 and at most 100, to 2 decimal places")
    return number


def indicator(raw: Any, lists: Mapping[str, tuple[str, ...]], where: str) -> Indicator:
    """Parse and check one indicator (or a selector of records read by outcomes and claims) against `lists`."""
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: an indicator is a mapping")
    code = _code(_require(raw, "code", where), f"{where}.code")
    where = f"indicator {code}"
    try:
        rule = Rule(_require(raw, "rule", where))
    except ValueError as error:
        raise DefinitionError(f"{where}: rule is one of {', '.join(r.value for r in Rule)}") from error
    parsed = Indicator(
        code=code,
        problem=_code(_require(raw, "problem", where), f"{where}.problem"),
        label=str(_require(raw, "label", where)),
        source=str(_require(raw, "source", where)),
        rule=rule,
        subject=_subject(raw.get("subject", "any"), f"{where}.subject"),
        kind=_code(raw["kind"], f"{where}.kind") if raw.get("kind") else "",
        date_column=_code(raw["date_column"], f"{where}.date_column") if raw.get("date_column") else "",
        end_column=_code(raw["end_column"], f"{where}.end_column") if raw.get("end_column") else "",
        window=_window(raw.get("window"), f"{where}.window"),
        conditions=tuple(
            _condition(item, lists, f"{where}.where[{index}]") for index, item in enumerate(raw.get("where") or ())
        ),
        min_count=_int(raw.get("min_count", 1), f"{where}.min_count", minimum=1),
        threshold_percent=_percent(raw["threshold_percent"], f"{where}.threshold_percent")
        if "threshold_percent" in raw
        else Decimal(0),
        comparison=Comparison(raw.get("comparison", "at_least")),
        absence=Absence(raw.get("absence", "total")),
        choice=str(raw.get("choice", "")),
    )
    _check_rule_shape(parsed, where)
    return parsed


def _check_rule_shape(indicator: Indicator, where: str) -> None:
    if indicator.rule is Rule.JUDGEMENT:
        if indicator.kind or indicator.conditions:
            raise DefinitionError(f"{where}: a judgement indicator names no dataset kind or conditions")
        return
    if not indicator.kind:
        raise DefinitionError(f"{where}: kind is required for rule {indicator.rule.value}")
    if not indicator.date_column and indicator.rule is not Rule.ATTENDANCE:
        raise DefinitionError(f"{where}: date_column is required for rule {indicator.rule.value}")
    if indicator.rule is Rule.EVENT and indicator.window is None:
        raise DefinitionError(f"{where}: an event indicator needs a window")
    if indicator.rule is Rule.SPELL and not indicator.end_column:
        raise DefinitionError(f"{where}: a spell indicator needs end_column")
    if indicator.rule is Rule.ATTENDANCE:
        if not isinstance(indicator.window, TermsWindow):
            raise DefinitionError(f"{where}: an attendance indicator needs a window of terms")
        if indicator.threshold_percent == 0:
            raise DefinitionError(f"{where}: an attendance indicator needs threshold_percent")


def _route(raw: Any, where: str) -> Route:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: a route is a mapping")
    code = _code(_require(raw, "code", where), f"{where}.code")
    return Route(
        code=code,
        label=str(_require(raw, "label", f"route {code}")),
        min_problems=_int(raw.get("min_problems", 0), f"route {code}.min_problems"),
        of=tuple(_code(item, f"route {code}.of") for item in raw.get("of") or ()),
        requires=tuple(_code(item, f"route {code}.requires") for item in raw.get("requires") or ()),
    )


def _lists(raw: Any) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise DefinitionError("lists: a mapping of name to codes")
    out: dict[str, tuple[str, ...]] = {}
    for name, entry in raw.items():
        codes = entry.get("codes") if isinstance(entry, Mapping) else entry
        if isinstance(entry, Mapping) and not entry.get("source"):
            raise DefinitionError(f"lists.{name}: 'source' is required")
        out[_code(name, "lists")] = tuple(_literal(code, f"lists.{name}") for code in _strings(codes, f"lists.{name}"))
    return out


def term_calendar(raw: Any) -> TermCalendar:
    """The school terms' start days (MM-DD for autumn, spring and summer); the default calendar if absent."""
    if raw is None:
        return TermCalendar()
    if not isinstance(raw, Mapping) or set(raw) != {"autumn", "spring", "summer"}:
        raise DefinitionError("school_terms: autumn, spring and summer start days as MM-DD")
    parts: dict[str, tuple[int, int]] = {}
    for name, value in raw.items():
        try:
            month, day = (int(part) for part in str(value).split("-"))
            dt.date(2001, month, day)
        except ValueError as error:
            raise DefinitionError(f"school_terms.{name}: {value!r} is not MM-DD") from error
        parts[name] = (month, day)
    return TermCalendar(autumn=parts["autumn"], spring=parts["spring"], summer=parts["summer"])


def _estimate(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not raw.get("source"):
        raise DefinitionError("estimate: families_per_1000_residents and its source")
    try:
        rate = Decimal(str(raw["families_per_1000_residents"]))
    except (KeyError, InvalidOperation) as error:
        raise DefinitionError("estimate: families_per_1000_residents is a number") from error
    return {"estimate_per_1000": rate, "estimate_source": str(raw["source"])}


def parse_programme(raw: Mapping[str, Any]) -> Programme:
    """Parse and check one definition: every reference resolves, every criterion has a source."""
    where = "programme"
    code = str(_require(raw, "programme", where))
    if not re.match(r"^[a-z0-9][a-z0-9\-]{0,62}$", code):
        raise DefinitionError(f"programme: {code!r} is not a programme code (lower case, digits and -)")
    lists = _lists(raw.get("lists"))
    family_raw = _require(raw, "family", where)
    family = FamilyRule(
        description=str(_require(family_raw, "description", "family")),
        dependent_child_max_age=_int(family_raw.get("dependent_child_max_age", 17), "family.dependent_child_max_age"),
        also_if=tuple(_code(item, "family.also_if") for item in family_raw.get("also_if") or ()),
    )
    problems = tuple(
        Problem(
            code=_code(_require(item, "code", "problems"), "problems.code"),
            label=str(_require(item, "label", f"problem {item.get('code')}")),
            source=str(_require(item, "source", f"problem {item.get('code')}")),
            is_counted=bool(item.get("is_counted", True)),
        )
        for item in _require(raw, "problems", where)
    )
    indicators = tuple(
        indicator(item, lists, f"indicators[{index}]") for index, item in enumerate(_require(raw, "indicators", where))
    )
    choices = tuple(
        Choice(
            topic=str(_require(item, "topic", "choices")),
            choice=str(_require(item, "choice", "choices")),
            reason=str(_require(item, "reason", "choices")),
        )
        for item in raw.get("choices") or ()
    )
    programme = Programme(
        code=code,
        version=_int(_require(raw, "version", where), "version", minimum=1),
        title=str(_require(raw, "title", where)),
        sources=_strings(_require(raw, "source", where), "source"),
        effective_from=date(_require(raw, "effective_from", where), "effective_from"),
        effective_to=date(raw["effective_to"], "effective_to") if raw.get("effective_to") else None,
        family=family,
        problems=problems,
        indicators=indicators,
        routes=tuple(_route(item, f"routes[{index}]") for index, item in enumerate(_require(raw, "routes", where))),
        choices=choices,
        term_calendar=term_calendar(raw.get("school_terms")),
        **_estimate(raw.get("estimate")),
    )
    _check_references(programme)
    return programme


def _check_references(programme: Programme) -> None:
    problem_codes = [problem.code for problem in programme.problems]
    indicator_codes = [indicator.code for indicator in programme.indicators]
    for label, codes in (("problem", problem_codes), ("indicator", indicator_codes)):
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise DefinitionError(f"{programme.code}: duplicate {label} codes {duplicates}")
    if set(problem_codes) & set(indicator_codes):
        raise DefinitionError(f"{programme.code}: a problem and an indicator share a code")
    for indicator in programme.indicators:
        if indicator.problem not in problem_codes:
            raise DefinitionError(f"indicator {indicator.code}: unknown problem {indicator.problem!r}")
    for problem in problem_codes:
        if not programme.indicators_of(problem):
            raise DefinitionError(f"problem {problem}: no indicators")
    for route in programme.routes:
        for name in (*route.of, *route.requires):
            if name not in problem_codes:
                raise DefinitionError(f"route {route.code}: unknown problem {name!r}")
        if route.min_problems == 0 and not route.requires:
            raise DefinitionError(f"route {route.code}: qualifies every family")
    for name in programme.family.also_if:
        if name not in indicator_codes:
            raise DefinitionError(f"family.also_if: unknown indicator {name!r}")
    if programme.effective_to is not None and programme.effective_to < programme.effective_from:
        raise DefinitionError(f"{programme.code}: effective_to is before effective_from")


def check_against_contract(
    programme: Programme, columns_by_kind: Mapping[str, Sequence[str]], codelist_of: Mapping[tuple[str, str], str]
) -> None:
    """Every indicator's kind and columns exist in the data contract, and flags name a coded column."""
    for indicator in programme.indicators:
        if not indicator.kind:
            continue
        where = f"{programme.code} indicator {indicator.code}"
        if indicator.kind not in columns_by_kind:
            raise DefinitionError(f"{where}: unknown dataset kind {indicator.kind!r}")
        columns = set(columns_by_kind[indicator.kind])
        used = {indicator.date_column, indicator.end_column} - {""}
        used |= {condition.column for condition in indicator.conditions}
        missing = sorted(used - columns)
        if missing:
            raise DefinitionError(f"{where}: {indicator.kind} has no columns {missing}")
        for condition in indicator.conditions:
            if condition.operator is Operator.CODELIST_FLAG and (indicator.kind, condition.column) not in codelist_of:
                raise DefinitionError(f"{where}: {condition.column} has no code list for flag {condition.flag!r}")


def load_programme(path: Path) -> Programme:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, Mapping):
        raise DefinitionError(f"{path}: not a mapping")
    try:
        programme = parse_programme(loaded)
    except DefinitionError as error:
        raise DefinitionError(f"{path.name}: {error}") from error
    expected = f"{programme.code}.yaml"
    if path.name != expected:
        raise DefinitionError(f"{path.name}: file name should be {expected}")
    return programme


def load_programmes(directory: Path) -> dict[str, Programme]:
    """Every definition in `directory`, by programme code."""
    return {programme.code: programme for programme in map(load_programme, sorted(directory.glob("*.yaml")))}
