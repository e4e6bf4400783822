"""Extracts: the family-level returns a council sends to government, as versioned definitions
(definitions/extracts/*.yaml, ADR 0035).

A definition names its programme, the case programme codes it covers, the outcomes framework it reports, and its
columns in order. Each column reads one field of a family's facts (`FamilyFacts`), from the fixed vocabulary
`FIELDS`; a column marked `for_each_problem` is repeated for each counted headline problem of the programme, its
name formed from the problem's code. Values are written as the definition's codes say (yes and no, dates as ISO
8601, money in pounds with pence). Pure: no Django, no engine.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class ExtractDefinitionError(ValueError):
    """An extract definition that cannot be read, with what is wrong and where."""


@dataclass(frozen=True)
class Problem:
    code: str
    label: str


@dataclass(frozen=True)
class FamilyFacts:
    """What an extract may say of one family on the programme (one case). Empty values are not known."""

    reference: str
    household_id: str = ""
    route_in: str = ""
    stage: str = ""
    attached_on: dt.date | None = None
    key_worker_allocated: bool = False
    plan_agreed_on: dt.date | None = None
    closed_on: dt.date | None = None
    closure_destination: str = ""
    adults: int = 0
    children: int = 0
    identified_on: dt.date | None = None
    district: str = ""
    ward: str = ""
    problems_at_identification: frozenset[str] | None = None  # None: not found by an identification run
    outcomes_measured_on: dt.date | None = None
    outcome_by_problem: Mapping[str, str] = field(default_factory=dict)  # problem code: outcome status
    family_outcome: str = ""
    claim_window: str = ""
    claim_state: str = ""
    claim_results: tuple[str, ...] = ()
    claim_amount_pence: int | None = None


@dataclass(frozen=True)
class Codes:
    """How yes, no and not known are written."""

    yes: str = "Y"
    no: str = "N"
    not_known: str = ""

    def flag(self, value: bool | None) -> str:
        return self.not_known if value is None else self.yes if value else self.no


def _date(value: dt.date | None, codes: Codes) -> str:
    return value.isoformat() if value is not None else codes.not_known


def _text(value: str, codes: Codes) -> str:
    return value or codes.not_known


def _pounds(pence: int | None, codes: Codes) -> str:
    return codes.not_known if pence is None else f"{Decimal(pence) / 100:.2f}"


def _has_problem(facts: FamilyFacts, problem: str, codes: Codes) -> str:
    found = facts.problems_at_identification
    return codes.flag(None if found is None else problem in found)


def _problem_count(facts: FamilyFacts, codes: Codes, counted: Sequence[str]) -> str:
    found = facts.problems_at_identification
    return codes.not_known if found is None else str(len(found & set(counted)))


FamilyField = Callable[[FamilyFacts, Codes], str]
ProblemField = Callable[[FamilyFacts, str, Codes], str]

FIELDS: dict[str, tuple[str, FamilyField]] = {
    "case.reference": ("The family's case reference in this service", lambda f, c: f.reference),
    "case.household_id": (
        "The linked household's id (a pseudonym made by linkage)",
        lambda f, c: _text(f.household_id, c),
    ),
    "case.route_in": (
        "How the family came onto the programme: cohort (identified from data) or referral",
        lambda f, c: _text(f.route_in, c),
    ),
    "case.stage": (
        "The family's stage on the pathway on the day the extract was built",
        lambda f, c: _text(f.stage, c),
    ),
    "case.attached_on": ("The day the family came onto the programme (attached)", lambda f, c: _date(f.attached_on, c)),
    "case.key_worker_allocated": (
        "Whether a key worker has been allocated to the family (now, or before the case closed)",
        lambda f, c: c.flag(f.key_worker_allocated),
    ),
    "case.plan_agreed_on": ("The day the family's plan was agreed", lambda f, c: _date(f.plan_agreed_on, c)),
    "case.closed_on": ("The day the case closed", lambda f, c: _date(f.closed_on, c)),
    "case.closure_destination": (
        "Where the family went when the case closed (step down, step up...)",
        lambda f, c: _text(f.closure_destination, c),
    ),
    "members.adults": ("Adults in the family (members not ended)", lambda f, c: str(f.adults)),
    "members.children": ("Children and young people in the family (members not ended)", lambda f, c: str(f.children)),
    "identification.identified_on": (
        "The as-of date of the identification run the family was found by",
        lambda f, c: _date(f.identified_on, c),
    ),
    "identification.district": ("The family's district when identified", lambda f, c: _text(f.district, c)),
    "identification.ward": ("The family's ward when identified", lambda f, c: _text(f.ward, c)),
    "outcomes.measured_on": (
        "The as-of date of the outcomes run the outcome columns come from",
        lambda f, c: _date(f.outcomes_measured_on, c),
    ),
    "outcomes.family": ("The family's outcome over every measured problem", lambda f, c: _text(f.family_outcome, c)),
    "claim.window": ("The claim window of the family's latest results claim", lambda f, c: _text(f.claim_window, c)),
    "claim.state": ("The state of the family's latest results claim", lambda f, c: _text(f.claim_state, c)),
    "claim.results": (
        "The results claimed, separated by spaces",
        lambda f, c: " ".join(f.claim_results) or c.not_known,
    ),
    "claim.amount": ("The amount of the latest claim in pounds", lambda f, c: _pounds(f.claim_amount_pence, c)),
}

PROBLEM_FIELDS: dict[str, tuple[str, ProblemField]] = {
    "identification.problem": ("Whether the family had the headline problem when identified", _has_problem),
    "outcomes.problem": (
        "The outcome for the headline problem in the latest outcomes run",
        lambda f, p, c: _text(f.outcome_by_problem.get(p, ""), c),
    ),
}
COUNT_FIELD = "identification.problem_count"
COUNT_DESCRIPTION = "How many of the programme's headline problems the family had when identified"


@dataclass(frozen=True)
class Column:
    name: str
    field: str
    description: str
    problem: str = ""  # for a column repeated for each problem: this one's problem


@dataclass(frozen=True)
class ExtractDefinition:
    code: str
    version: int
    title: str
    programme: str
    case_programmes: tuple[str, ...]
    outcomes_framework: str
    source: tuple[str, ...]
    unit: str
    choices: tuple[str, ...]
    codes: Codes
    raw_columns: tuple[Mapping[str, Any], ...]

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"

    def columns(self, problems: Sequence[Problem]) -> tuple[Column, ...]:
        """The columns in order, each problem column repeated for `problems` (the programme's counted problems)."""
        out: list[Column] = []
        for item in self.raw_columns:
            name, key = str(item["name"]), str(item["field"])
            description = str(item.get("description") or "")
            if item.get("for_each_problem"):
                for problem in problems:
                    text = f"{description or PROBLEM_FIELDS[key][0]}: {problem.label}"
                    out.append(Column(name.format(problem=problem.code), key, text, problem.code))
            else:
                default = COUNT_DESCRIPTION if key == COUNT_FIELD else FIELDS[key][0]
                out.append(Column(name, key, description or default))
        names = [column.name for column in out]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ExtractDefinitionError(f"extract {self.code}: columns named twice: {', '.join(duplicated)}")
        bad = [name for name in names if not NAME.match(name)]
        if bad:
            raise ExtractDefinitionError(f"extract {self.code}: column names must be lower case words: {bad[0]!r}")
        return tuple(out)

    def row(self, facts: FamilyFacts, columns: Sequence[Column], problems: Sequence[Problem]) -> list[str]:
        counted = [problem.code for problem in problems]
        values: list[str] = []
        for column in columns:
            if column.problem:
                values.append(PROBLEM_FIELDS[column.field][1](facts, column.problem, self.codes))
            elif column.field == COUNT_FIELD:
                values.append(_problem_count(facts, self.codes, counted))
            else:
                values.append(FIELDS[column.field][1](facts, self.codes))
        return values


def _strings(raw: Any, what: str, code: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) and item.strip() for item in raw):
        raise ExtractDefinitionError(f"extract {code}: {what} must be a list of text")
    return tuple(raw)


def _column(item: Any, index: int, code: str) -> Mapping[str, Any]:
    where = f"extract {code}: column {index}"
    if not isinstance(item, dict) or "name" not in item or "field" not in item:
        raise ExtractDefinitionError(f"{where} needs a name and a field")
    key = str(item["field"])
    if item.get("for_each_problem"):
        if key not in PROBLEM_FIELDS:
            known = ", ".join(sorted(PROBLEM_FIELDS))
            raise ExtractDefinitionError(f"{where}: {key!r} is not a field of a problem (one of {known})")
        if "{problem}" not in str(item["name"]):
            raise ExtractDefinitionError(f"{where}: a column for each problem names it with {{problem}}")
    elif key not in FIELDS and key != COUNT_FIELD:
        known = ", ".join(sorted([*FIELDS, COUNT_FIELD]))
        raise ExtractDefinitionError(f"{where}: no field {key!r} (one of {known})")
    return dict(item)


def parse_extract(raw: Mapping[str, Any]) -> ExtractDefinition:
    if not isinstance(raw, Mapping):
        raise ExtractDefinitionError("an extract definition is a mapping")
    code = str(raw.get("extract") or "")
    if not CODE.match(code):
        raise ExtractDefinitionError(f"extract code {code!r} must be lower case letters, digits, - and _")
    try:
        version = int(raw["version"])
        title = str(raw["title"]).strip()
        programme = str(raw["programme"])
        columns = raw["columns"]
    except (KeyError, TypeError, ValueError) as error:
        raise ExtractDefinitionError(f"extract {code}: cannot read {error}") from None
    if version < 1 or not title:
        raise ExtractDefinitionError(f"extract {code}: needs a version from 1 and a title")
    source = _strings(raw.get("source"), "source", code)
    if not source:
        raise ExtractDefinitionError(f"extract {code}: source is required (the document the return's shape is from)")
    if not isinstance(columns, list) or not columns:
        raise ExtractDefinitionError(f"extract {code}: columns must be a list of at least one column")
    raw_codes = raw.get("codes") or {}
    if not isinstance(raw_codes, dict):
        raise ExtractDefinitionError(f"extract {code}: codes must be a mapping")
    codes = Codes(**{key: str(raw_codes[key]) for key in ("yes", "no", "not_known") if key in raw_codes})
    if len({codes.yes, codes.no, codes.not_known}) != 3:
        raise ExtractDefinitionError(f"extract {code}: yes, no and not known need three different codes")
    definition = ExtractDefinition(
        code=code,
        version=version,
        title=title,
        programme=programme,
        case_programmes=_strings(raw.get("case_programmes"), "case_programmes", code) or (programme,),
        outcomes_framework=str(raw.get("outcomes_framework") or ""),
        source=source,
        unit=str(raw.get("unit") or ""),
        choices=_strings(raw.get("choices"), "choices", code),
        codes=codes,
        raw_columns=tuple(_column(item, index, code) for index, item in enumerate(columns, start=1)),
    )
    definition.columns([Problem("p", "p")])  # names well formed and distinct
    return definition


def load_extract(path: Path) -> ExtractDefinition:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ExtractDefinitionError(f"{path.name}: cannot read it ({error})") from None
    return parse_extract(raw)


def load_extracts(folder: Path) -> dict[str, ExtractDefinition]:
    """Every definition in the folder by code; two files with one code refuse."""
    found: dict[str, ExtractDefinition] = {}
    for path in sorted(folder.glob("*.yaml")):
        definition = load_extract(path)
        if definition.code in found:
            raise ExtractDefinitionError(f"{path.name}: extract {definition.code} is defined twice")
        found[definition.code] = definition
    return found
