"""Validation of one delivery against the data contract: headers, cells, rows, duplicates, date formats.

Pure rules: readers hand over a header and rows of cells (text from CSV, typed values from XLSX or
Parquet); this module maps them onto the kind's canonical columns through a source profile and says, for every
row, the typed values or the problems (line, column, reason). Whole-delivery problems raise `DeliveryRefused`.
Line numbers count as a spreadsheet user does: the header is line 1, the first data row line 2.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.contract import Check, Codelist, Column, ColumnType, Contract, ContractError

Cell = str | int | float | bool | Decimal | dt.date | dt.datetime | None
Value = str | int | bool | Decimal | dt.date | None

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_FUTURE_DATE = dt.date(2100, 12, 31)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection)."""

MAX_DECIMAL_PLACES = 4
FORMULA_WARNING = "starts like a spreadsheet formula; stored as text"
LINES_NAMED = 20
"""How many line numbers an error about many rows names before it says "and N more"."""

DEFAULT_TRUE = frozenset({"true", "t", "yes", "y", "1"})
DEFAULT_FALSE = frozenset({"false", "f", "no", "n", "0"})

COMMON_DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d %b %Y",
    "%m/%d/%Y",
)
"""Formats tried on a date that fails the profile's formats, to tell "mixed formats" from "not a date"."""


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a delivery: at a line and column, or (line None) with the whole file."""

    line: int | None
    column: str
    reason: str
    value: str = ""
    severity: Severity = Severity.ERROR


class DeliveryRefused(Exception):
    """The whole delivery is refused (bad file, wrong columns, mixed date formats...): nothing is stored."""

    def __init__(self, message: str, *, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems) or (Problem(line=None, column="", reason=message),)


def name_lines(lines: Sequence[int], *, limit: int = LINES_NAMED) -> str:
    """'lines 3, 7 and 9' / 'lines 3, 7, ... and 12 more'."""
    shown = [str(line) for line in lines[:limit]]
    if len(lines) == 1:
        return f"line {shown[0]}"
    if len(lines) <= limit:
        return f"lines {', '.join(shown[:-1])} and {shown[-1]}"
    return f"lines {', '.join(shown)} and {len(lines) - limit} more"


# --- source profiles ------------------------------------------------------------------------------
class FileFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PARQUET = "parquet"


@dataclass(frozen=True)
class SourceProfile:
    """How one supplier's file maps onto a kind: format, encoding, columns, codes, date formats."""

    name: str
    kind: str
    supplier: str
    file_format: FileFormat
    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    column_map: Mapping[str, str] = field(default_factory=dict)
    code_map: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    true_values: frozenset[str] = DEFAULT_TRUE
    false_values: frozenset[str] = DEFAULT_FALSE
    null_values: frozenset[str] = frozenset()
    ignored_columns: frozenset[str] = frozenset()
    description: str = ""


def parse_profile(raw: Mapping[str, Any], *, name: str) -> SourceProfile:
    """Build a source profile from its YAML mapping."""
    try:
        file_format = FileFormat(str(raw.get("format", "csv")).lower())
    except ValueError as error:
        raise ContractError(f"profile {name}: format must be one of {[f.value for f in FileFormat]}") from error
    kind = str(raw.get("kind", ""))
    if not kind:
        raise ContractError(f"profile {name}: no kind")
    booleans = raw.get("booleans") or {}
    date_formats = raw.get("date_formats") or ["%Y-%m-%d"]
    if isinstance(date_formats, str):
        date_formats = [date_formats]
    for date_format in date_formats:
        compile_date_format(str(date_format))
    return SourceProfile(
        name=name,
        kind=kind,
        supplier=str(raw.get("supplier", "")),
        file_format=file_format,
        encoding=str(raw.get("encoding", "auto")),
        delimiter=str(raw.get("delimiter", "auto")),
        sheet=str(raw["sheet"]) if raw.get("sheet") else None,
        date_formats=tuple(str(item) for item in date_formats),
        column_map={str(key): str(value) for key, value in (raw.get("columns") or {}).items()},
        code_map={
            str(column): {str(key): str(value) for key, value in (mapping or {}).items()}
            for column, mapping in (raw.get("codes") or {}).items()
        },
        true_values=frozenset(str(v).lower() for v in booleans.get("true", DEFAULT_TRUE)),
        false_values=frozenset(str(v).lower() for v in booleans.get("false", DEFAULT_FALSE)),
        null_values=frozenset(str(v) for v in raw.get("null_values") or ()),
        ignored_columns=frozenset(str(v) for v in raw.get("ignored_columns") or ()),
        description=str(raw.get("description", "")),
    )


PROFILE_DEFAULTS_FILE = "_defaults.yaml"


def load_profile(profiles_dir: Path, *, name: str, kind: str) -> SourceProfile:
    """Read `<profiles_dir>/<name>/<kind>.yaml`, over the supplier's `_defaults.yaml` when there is one."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name) or not re.fullmatch(r"[a-z0-9_]+", kind):
        raise ContractError(f"no profile {name!r} for kind {kind!r}")
    directory = profiles_dir / name
    path = directory / f"{kind}.yaml"
    if not path.is_file():
        known = ", ".join(available_profiles(profiles_dir, kind=kind)) or "none"
        raise ContractError(f"no profile {name!r} for kind {kind!r} (profiles for {kind}: {known})")
    raw: dict[str, Any] = {}
    defaults = directory / PROFILE_DEFAULTS_FILE
    if defaults.is_file():
        raw.update(yaml.safe_load(defaults.read_text(encoding="utf-8")) or {})
    raw.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    profile = parse_profile(raw, name=name)
    if profile.kind != kind:
        raise ContractError(f"{path}: says kind {profile.kind!r}, not {kind!r}")
    return profile


def available_profiles(profiles_dir: Path, *, kind: str) -> tuple[str, ...]:
    """Names of the profiles that have a mapping for `kind`."""
    return tuple(sorted(path.parent.name for path in profiles_dir.glob(f"*/{kind}.yaml")))


def check_profile(profile: SourceProfile, contract: Contract, codelists: Mapping[str, Codelist]) -> None:
    """A profile must map onto the contract's columns and code lists."""
    names = set(contract.column_names)
    unknown = sorted(set(profile.column_map.values()) - names)
    if unknown:
        raise ContractError(f"profile {profile.name}: maps onto unknown columns {unknown}")
    for column_name, mapping in profile.code_map.items():
        if column_name not in names or contract.column(column_name).codelist is None:
            raise ContractError(f"profile {profile.name}: code mapping for {column_name!r}, not a code column")
        codelist = codelists[contract.column(column_name).codelist or ""]
        wrong = sorted(set(mapping.values()) - codelist.values)
        if wrong:
            raise ContractError(
                f"profile {profile.name}: {column_name} maps onto codes not in {codelist.name}: {wrong}"
            )


# --- header --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HeaderPlan:
    """Where each canonical column is in the supplier's rows (None: not supplied)."""

    positions: tuple[int | None, ...]
    width: int
    supplied: tuple[str, ...]


def _header_key(name: str) -> str:
    return name.replace("\ufeff", "").strip().casefold()


def plan_header(header: Sequence[Cell], contract: Contract, profile: SourceProfile) -> HeaderPlan:
    """Match the supplier's header to the contract, refusing duplicate, unknown or missing columns by name."""
    names = ["" if cell is None else str(cell) for cell in header]
    while names and not names[-1].strip():
        names.pop()
    if not names:
        raise DeliveryRefused("The file has no header row (the first line is empty).")
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        key = _header_key(name)
        if not key:
            problems.append(Problem(line=1, column="", reason=f"column {position + 1} has no name in the header"))
        elif key in seen:
            problems.append(
                Problem(
                    line=1,
                    column=name,
                    reason=f"duplicate column name {name.strip()!r} (columns {seen[key] + 1} and {position + 1})",
                )
            )
        else:
            seen[key] = position
    mapping = {_header_key(source): target for source, target in profile.column_map.items()}
    canonical = {_header_key(name): name for name in contract.column_names}
    ignored = {_header_key(name) for name in profile.ignored_columns}
    target_position: dict[str, int] = {}
    unknown: list[str] = []
    for key, position in seen.items():
        target = mapping.get(key) or canonical.get(key)
        if target is None:
            if key not in ignored:
                unknown.append(names[position].strip())
            continue
        if target in target_position:
            other = names[target_position[target]].strip()
            problems.append(
                Problem(
                    line=1,
                    column=target,
                    reason=f"columns {other!r} and {names[position].strip()!r} both map onto {target}",
                )
            )
            continue
        target_position[target] = position
    if unknown:
        problems.append(Problem(line=1, column="", reason=f"unknown columns: {', '.join(unknown)}"))
    missing = [name for name in contract.required_columns if name not in target_position]
    if missing:
        problems.append(Problem(line=1, column="", reason=f"missing required columns: {', '.join(missing)}"))
    if problems:
        raise DeliveryRefused(
            "The header does not match the "
            f"{contract.kind} contract through profile {profile.name}: " + "; ".join(p.reason for p in problems),
            problems=problems,
        )
    positions = tuple(target_position.get(name) for name in contract.column_names)
    supplied = tuple(name for name in contract.column_names if name in target_position)
    return HeaderPlan(positions=positions, width=len(names), supplied=supplied)


# --- cell parsers ------------------------------------------------------------------------------
class CellError(ValueError):
    """A cell's value does not fit its column; the message is the reason shown to users."""


_DATE_DIRECTIVES = {
    "%Y": r"(?P<Y>\d{4})",
    "%y": r"(?P<y>\d{2})",
    "%m": r"(?P<m>\d{1,2})",
    "%d": r"(?P<d>\d{1,2})",
    "%b": r"(?P<b>[A-Za-z]{3})",
    "%B": r"(?P<B>[A-Za-z]{3,9})",
}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_TIME_SUFFIX = re.compile(r"[ T]00:00(:00(\.0+)?)?$")


def describe_date_format(date_format: str) -> str:
    """'%d/%m/%Y' → 'DD/MM/YYYY' (how users read it)."""
    text = date_format
    for directive, shown in (("%Y", "YYYY"), ("%y", "YY"), ("%m", "MM"), ("%d", "DD"), ("%b", "Mon"), ("%B", "Month")):
        text = text.replace(directive, shown)
    return text


def compile_date_format(date_format: str) -> Callable[[str], dt.date | None]:
    """A fast parser for a strftime-style date format (%Y %y %m %d %b %B and literals); None if no match."""
    pattern = ""
    index = 0
    while index < len(date_format):
        piece = date_format[index : index + 2]
        if piece in _DATE_DIRECTIVES:
            pattern += _DATE_DIRECTIVES[piece]
            index += 2
        elif date_format[index] == "%":
            raise ContractError(f"date format {date_format!r}: unsupported directive {piece!r}")
        else:
            pattern += re.escape(date_format[index])
            index += 1
    if not ({"%Y", "%y"} & set(re.findall("%.", date_format)) and "%d" in date_format):
        raise ContractError(f"date format {date_format!r} needs a year and a day")
    compiled = re.compile(pattern)

    def parse(text: str) -> dt.date | None:
        match = compiled.fullmatch(text)
        if match is None:
            return None
        groups = match.groupdict()
        if groups.get("Y"):
            year = int(groups["Y"])
        else:
            two = int(groups["y"])
            year = 2000 + two if two < 69 else 1900 + two  # the strptime pivot
        if groups.get("m"):
            month = int(groups["m"])
        else:
            month = _MONTHS.get((groups.get("b") or groups.get("B") or "")[:3].casefold(), 0)
        try:
            return dt.date(year, month, int(groups["d"]))
        except ValueError:
            return None

    return parse


def _iso_date(text: str) -> dt.date | None:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return None


def date_parser(date_format: str) -> Callable[[str], dt.date | None]:
    return _iso_date if date_format == "%Y-%m-%d" else compile_date_format(date_format)


_COMMON_PARSERS = tuple((fmt, date_parser(fmt)) for fmt in COMMON_DATE_FORMATS)


def guess_date_format(text: str) -> str | None:
    """The first common date format `text` parses with, if any."""
    for date_format, parse in _COMMON_PARSERS:
        if parse(text) is not None:
            return date_format
    return None


def parse_integer(value: Cell) -> int:
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)  # the common case, first
    if isinstance(value, bool):
        raise CellError("not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise CellError("not a whole number")
        return int(value)
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("not a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError("not a whole number")
    return int(number)


def parse_decimal(value: Cell) -> Decimal:
    if isinstance(value, bool):
        raise CellError("not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise CellError("not a number") from None
    if not number.is_finite():
        raise CellError("not a number")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise CellError(f"more than {MAX_DECIMAL_PLACES} decimal places")
    return number


def parse_boolean(value: Cell, *, true_values: frozenset[str], false_values: frozenset[str]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in true_values:
        return True
    if text in false_values:
        return False
    raise CellError(f"not a yes/no value (expected one of {', '.join(sorted(true_values | false_values))})")


def is_formula_like(text: str) -> bool:
    """A cell a spreadsheet would run as a formula: starts with = + - @ (or tab / CR) and is not a number."""
    if not text or not text.startswith(FORMULA_PREFIXES):
        return False
    try:
        Decimal(text)
    except InvalidOperation:
        return True
    return False


def escape_for_spreadsheet(text: str) -> str:
    """Prefix formula-like text with an apostrophe so a spreadsheet shows it instead of running it.

    The one escaping rule for every CSV and XLSX the service writes, web or command line (ADR 0014): cells of
    rows go through `safe_row`, Arrow tables through `wholefamily.dataplane.spreadsheets`, which applies the
    same prefixes column-wise.
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def safe_row(cells: Iterable[object]) -> list[object]:
    """A row for a CSV writer or a worksheet: text escaped (`escape_for_spreadsheet`), numbers and dates as they are."""
    return [escape_for_spreadsheet(cell) if isinstance(cell, str) else cell for cell in cells]


def cell_text(value: Cell) -> str:
    """How a cell is shown in a report."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def date_bounds(column: Column, received_on: dt.date) -> tuple[dt.date, dt.date]:
    """The earliest and latest date a date column accepts: its own bounds, else 1900 and the received date (or 2100
    for columns that may hold future dates)."""
    earliest = column.minimum if isinstance(column.minimum, dt.date) else EARLIEST_DATE
    if isinstance(column.maximum, dt.date):
        return earliest, column.maximum
    return earliest, LATEST_FUTURE_DATE if column.is_future_allowed else received_on


# --- rows ------------------------------------------------------------------------------------------
@dataclass
class RowResult:
    """One row: typed values in contract column order, problems (errors and warnings)."""

    line: int
    values: list[Value]
    problems: list[Problem]

    @property
    def is_bad(self) -> bool:
        return any(problem.severity is Severity.ERROR for problem in self.problems)


@dataclass
class _DateFormatUse:
    counts: dict[str, int] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)

    def note(self, date_format: str, line: int) -> None:
        count = self.counts.get(date_format, 0)
        self.counts[date_format] = count + 1
        if count <= LINES_NAMED:
            self.lines.setdefault(date_format, []).append(line)


class DuplicateTracker:
    """Remembers each row's key (as a 64-bit SipHash of its text) and says which earlier line a repeat duplicates.

    Two different keys share a hash with probability about n²/2⁶⁵ (3 in 100 million for a million rows); such a
    row would be reported as a duplicate (never silently dropped), so the cost of a collision is a false alarm.
    """

    def __init__(self, columns: Sequence[str], positions: Sequence[int]) -> None:
        self.columns = tuple(columns)
        self.positions = tuple(positions)
        self.first_line: dict[int, int] = {}

    def check(self, line: int, values: Sequence[Value]) -> int | None:
        parts = [values[position] for position in self.positions]
        if None in parts:
            return None
        key = hash("\x1f".join(map(str, parts)))
        earlier = self.first_line.get(key)
        if earlier is None:
            self.first_line[key] = line
        return earlier


class RowValidator:
    """Validates rows of one delivery: call `validate` per row, then `finish` for whole-column rules."""

    def __init__(
        self,
        *,
        contract: Contract,
        codelists: Mapping[str, Codelist],
        profile: SourceProfile,
        plan: HeaderPlan,
        received_on: dt.date,
        check_duplicates: bool = True,
    ) -> None:
        """`check_duplicates=False` leaves duplicates within the delivery to the caller (the columnar path)."""
        self.contract = contract
        self.profile = profile
        self.plan = plan
        self.received_on = received_on
        self.columns = contract.columns
        self.index = {column.name: position for position, column in enumerate(self.columns)}
        self.parsers = [self._parser_for(column, codelists) for column in self.columns]
        self.column_count = len(self.columns)
        self.steps = [
            (
                i,
                pos,
                self.parsers[i],
                self.columns[i].name,
                self.columns[i].is_required,
                self.columns[i].type is ColumnType.STRING,
            )
            for i, pos in enumerate(plan.positions)
            if pos is not None
        ]
        self.required_absent = [
            c.name for c, pos in zip(self.columns, plan.positions, strict=True) if pos is None and c.is_required
        ]
        self.date_formats = [(fmt, date_parser(fmt)) for fmt in profile.date_formats]
        self.date_use: dict[str, _DateFormatUse] = {
            column.name: _DateFormatUse() for column in self.columns if column.type is ColumnType.DATE
        }
        self.trackers = self._trackers() if check_duplicates else []
        self.checks = [self._check_function(check) for check in contract.checks]
        self.null_values = profile.null_values

    # -- setup
    def _trackers(self) -> list[DuplicateTracker]:
        keys: list[tuple[str, ...]] = [("source_record_id",)]
        if tuple(self.contract.unique_key) != ("source_record_id",):
            keys.append(tuple(self.contract.unique_key))
        return [DuplicateTracker(key, [self.index[name] for name in key]) for key in keys]

    def _parser_for(self, column: Column, codelists: Mapping[str, Codelist]) -> Callable[[Cell, int], Value]:
        if column.type is ColumnType.STRING:
            return self._string_parser(column)
        if column.type is ColumnType.DATE:
            return self._date_parser(column)
        if column.type is ColumnType.INTEGER:
            return self._number_parser(column, parse_integer)
        if column.type is ColumnType.DECIMAL:
            return self._number_parser(column, parse_decimal)
        if column.type is ColumnType.BOOLEAN:
            profile = self.profile

            def parse_bool(value: Cell, line: int) -> Value:
                return parse_boolean(value, true_values=profile.true_values, false_values=profile.false_values)

            return parse_bool
        return self._code_parser(column, codelists[column.codelist or ""])

    def _string_parser(self, column: Column) -> Callable[[Cell, int], Value]:
        max_length = column.max_length

        def parse(value: Cell, line: int) -> Value:
            if type(value) is str:
                if max_length is not None and len(value) > max_length:
                    raise CellError(f"longer than {max_length} characters")
                return value
            if isinstance(value, float) and value.is_integer():
                text = str(int(value))  # a number a spreadsheet stored for an identifier
            elif isinstance(value, dt.date):
                text = cell_text(value)
            else:
                text = str(value)
            if max_length is not None and len(text) > max_length:
                raise CellError(f"longer than {max_length} characters")
            return text

        return parse

    def _number_parser(self, column: Column, convert: Callable[[Cell], int | Decimal]) -> Callable[[Cell, int], Value]:
        minimum, maximum = column.minimum, column.maximum
        if column.type is ColumnType.INTEGER:  # compare ints with ints: much faster than with Decimal
            minimum = int(minimum) if isinstance(minimum, Decimal) else minimum  # type: ignore[assignment]
            maximum = int(maximum) if isinstance(maximum, Decimal) else maximum  # type: ignore[assignment]

        def parse(value: Cell, line: int) -> Value:
            number = convert(value)
            if minimum is not None and number < minimum:  # type: ignore[operator]
                raise CellError(f"below the minimum {minimum}")
            if maximum is not None and number > maximum:  # type: ignore[operator]
                raise CellError(f"above the maximum {maximum}")
            return number

        return parse

    def _date_parser(self, column: Column) -> Callable[[Cell, int], Value]:
        earliest, latest = date_bounds(column, self.received_on)
        use_name = column.name
        shown_formats = " or ".join(describe_date_format(fmt) for fmt in self.profile.date_formats)

        def parse(value: Cell, line: int) -> Value:
            if isinstance(value, dt.datetime):
                if value.time() != dt.time(0, 0):
                    raise CellError("a date and time, not a date")
                parsed: dt.date | None = value.date()
            elif isinstance(value, dt.date):
                parsed = value
            else:
                parsed = self._parse_date_text(str(value).strip(), use_name, line, shown_formats)
            assert parsed is not None
            if parsed < earliest:
                raise CellError(f"before {earliest.isoformat()}")
            if parsed > latest:
                if latest == self.received_on:
                    raise CellError(f"in the future (after the delivery's received date {latest.isoformat()})")
                raise CellError(f"after {latest.isoformat()}")
            return parsed

        return parse

    def _parse_date_text(self, text: str, column_name: str, line: int, shown_formats: str) -> dt.date:
        use = self.date_use[column_name]
        for date_format, parse in self.date_formats:
            parsed = parse(text)
            if parsed is not None:
                use.note(date_format, line)
                return parsed
        if _TIME_SUFFIX.search(text):  # "2014-03-03 00:00:00", as some exports write dates
            return self._parse_date_text(_TIME_SUFFIX.sub("", text), column_name, line, shown_formats)
        guessed = guess_date_format(text)
        if guessed is not None:
            self.date_use[column_name].note(guessed, line)
            raise CellError(f"a date in the format {describe_date_format(guessed)}, expected {shown_formats}")
        raise CellError(f"not a date in the format {shown_formats}")

    def _code_parser(self, column: Column, codelist: Codelist) -> Callable[[Cell, int], Value]:
        mapping = dict(self.profile.code_map.get(column.name, {}))
        folded_mapping = {key.strip().casefold(): code for key, code in mapping.items()}
        values = codelist.values
        folded = {code.casefold(): code for code in values}
        shown = ", ".join(sorted(values)) if len(values) <= 12 else f"{len(values)} codes"

        def parse(value: Cell, line: int) -> Value:
            if type(value) is str and value in values and value not in mapping:
                return value  # the common case, first
            text = cell_text(value).strip()
            if text in mapping:
                return mapping[text]
            if text in values:
                return text
            code = folded_mapping.get(text.casefold()) or folded.get(text.casefold())
            if code is None:
                raise CellError(f"not in code list {codelist.name} ({shown})")
            return code

        return parse

    def _check_function(self, check: Check) -> Callable[[list[Value]], str | None]:
        other = self.index[check.other]
        columns = [self.index[name] for name in check.columns]
        if check.rule == "not_before":
            first = columns[0]

            def not_before(values: list[Value]) -> str | None:
                later, earlier = values[first], values[other]
                if isinstance(later, dt.date) and isinstance(earlier, dt.date) and later < earlier:
                    return f"{check.columns[0]} ({later.isoformat()}) is before {check.other} ({earlier.isoformat()})"
                return None

            return not_before

        def sum_not_greater(values: list[Value]) -> str | None:
            parts = [values[i] for i in columns]
            limit = values[other]
            if limit is None or None in parts:
                return None
            total = sum(parts)  # type: ignore[arg-type]
            if total > limit:  # type: ignore[operator]
                return f"{' + '.join(check.columns)} ({total}) is more than {check.other} ({limit})"
            return None

        return sum_not_greater

    # -- per row
    def validate(self, line: int, cells: Sequence[Cell]) -> RowResult:
        """Typed values and problems of one row (the hot loop of an import: kept lean on purpose)."""
        values: list[Value] = [None] * self.column_count
        problems: list[Problem] = []
        width = len(cells)
        if width != self.plan.width and not _only_blank_beyond(cells, self.plan.width):
            problems.append(Problem(line, "", f"the row has {width} fields, the header has {self.plan.width}"))
            return RowResult(line, values, problems)
        null_values = self.null_values
        has_error = False
        for index, position, parse, name, is_required, is_string in self.steps:
            cell = cells[position] if position < width else None
            is_text = type(cell) is str
            if cell is None or (is_text and (not cell or cell.isspace() or cell in null_values)):  # type: ignore[union-attr]
                if is_required:
                    problems.append(Problem(line, name, "required value missing"))
                    has_error = True
                continue
            try:
                values[index] = parse(cell, line)
            except CellError as error:
                problems.append(Problem(line, name, str(error), cell_text(cell)))
                has_error = True
                continue
            if is_string and type(cell) is str and cell[0] in FORMULA_PREFIXES and is_formula_like(cell):
                problems.append(Problem(line, name, FORMULA_WARNING, cell, Severity.WARNING))
        if self.required_absent:
            problems.extend(Problem(line, name, "required value missing") for name in self.required_absent)
            has_error = True
        if not has_error:
            for check in self.checks:
                message = check(values)
                if message:
                    problems.append(Problem(line, "", message))
                    has_error = True
        if not has_error:
            for tracker in self.trackers:
                earlier = tracker.check(line, values)
                if earlier is not None:
                    columns = ", ".join(tracker.columns)
                    problems.append(Problem(line, columns, duplicate_reason(earlier, tracker.columns)))
                    break
        return RowResult(line, values, problems)

    # -- whole delivery
    def finish(self) -> None:
        """Refuse the delivery when a date column mixes formats (a sign of an export that went wrong)."""
        problems: list[Problem] = []
        for column_name, use in self.date_use.items():
            if len(use.counts) <= 1:
                continue
            ranked = sorted(use.counts.items(), key=lambda item: -item[1])
            described = "; ".join(
                f"{count} in {describe_date_format(fmt)} ({name_lines(use.lines[fmt])})" for fmt, count in ranked
            )
            problems.append(Problem(None, column_name, f"mixed date formats in {column_name}: {described}"))
        if problems:
            raise DeliveryRefused(
                "Dates are written in more than one format, so some may be misread: "
                + " | ".join(problem.reason for problem in problems)
                + ". Ask the supplier for one date format throughout.",
                problems=problems,
            )


def duplicate_reason(earlier: int, columns: Sequence[str]) -> str:
    """The report's reason for a row repeating an earlier row's key."""
    return f"duplicate of line {earlier} (same {', '.join(columns)})"


def _only_blank_beyond(cells: Sequence[Cell], width: int) -> bool:
    """Trailing empty fields past the header (a trailing delimiter) are tolerated."""
    if len(cells) < width:
        return False
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells[width:])


def is_blank_row(cells: Iterable[Cell]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def period_of(dates: Iterable[dt.date | None]) -> tuple[dt.date | None, dt.date | None]:
    """Earliest and latest of the dates given (None when there are none)."""
    present = [value for value in dates if value is not None]
    return (min(present), max(present)) if present else (None, None)
