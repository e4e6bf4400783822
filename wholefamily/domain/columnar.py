"""The data contract's checks compiled to SQL over a delivery's text cells, for a columnar engine (ADR 0028, 0033).

Pure: builds SQL text, runs nothing. The engine (DuckDB or Spark in `wholefamily.ingest.columnar`) reads a delivery
with every column as text, `c0`, `c1`, ... in the supplier's order, and evaluates, for every row:

- `is_blank`: the row is empty (skipped, as `RowValidator`'s callers skip it);
- `is_clean`: every cell is CERTAINLY valid and unflagged by the rules of `wholefamily.domain.validation`: types,
  formats, code lists, required values, dates in range, lengths, cross-column checks, and no cell that starts like a
  spreadsheet formula;
- the typed value of each canonical column (meaningful for clean rows);
- for each date column, which of the profile's formats the cell was written in (for the mixed-formats rule).

The predicate is deliberately conservative: a row it cannot vouch for (a number written " 5" or "1e3", a code in the
wrong case, a cell starting "-", any problem at all) is not clean, and the engine hands it to `RowValidator`, which
stays the one source of every reason in the report. So the report is the row-by-row report, line for line and word for
word; the engine only spares Python the rows that have nothing to say. Duplicates within a delivery are found by the
engine over the clean rows and the rows `RowValidator` passed (`duplicate_key`).

One compiler, two dialects (ADR 0033): the few constructs the engines spell differently (string literals, regular
expression matching, trimming a set of characters, the first character's code point, byte length, casts that may
fail, building a date that may not exist, type names) are the methods of a `Dialect`; everything else, every rule and
every choice, is written once. `DUCKDB` and `SPARK` are the two dialects.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from wholefamily.domain.contract import Check, Codelist, Column, ColumnType, Contract
from wholefamily.domain.validation import FORMULA_PREFIXES, HeaderPlan, SourceProfile, date_bounds

PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character Python's str.isspace() and str.strip() treat as white space (a test checks the list)."""

MAX_INTEGER_DIGITS = 18
"""Integers with more digits may not fit 64 bits: left to the row rules."""
DECIMAL_SCALE = 4
DECIMAL_INTEGER_DIGITS = 14
"""Decimals are stored as DECIMAL(18, 4): up to 14 digits before the point and 4 after."""

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SQL_DATE_DIRECTIVES = {
    "%Y": ("Y", "([0-9]{4})"),
    "%y": ("y", "([0-9]{2})"),
    "%m": ("m", "([0-9]{1,2})"),
    "%d": ("d", "([0-9]{1,2})"),
    "%b": ("b", "([A-Za-z]{3})"),
    "%B": ("B", "([A-Za-z]{3,9})"),
}
_RE2_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")


def sql_text(value: str) -> str:
    """A DuckDB SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


class Dialect:
    """How DuckDB spells the constructs the engines spell differently; `SparkDialect` overrides each of them."""

    name = "duckdb"
    text_type = "VARCHAR"
    wide_integer_type = "HUGEINT"
    """Whole numbers of a sum check, wide enough that eighteen-digit cells cannot overflow."""

    def literal(self, value: str) -> str:
        return sql_text(value)

    def full_match(self, cell: str, pattern: str) -> str:
        """TRUE when the whole cell matches `pattern` (an RE2 pattern that Java's regular expressions read alike)."""
        return f"regexp_full_match({cell}, {self.literal(pattern)})"

    def extract(self, cell: str, pattern: str, group: int) -> str:
        """Group `group` of `pattern` matched against the whole cell."""
        return f"regexp_extract({cell}, {self.literal('^' + pattern + '$')}, {group})"

    def trimmed(self, cell: str, characters: str) -> str:
        return f"trim({cell}, {self.literal(characters)})"

    def first_code(self, cell: str) -> str:
        """The code point of the cell's first character."""
        return f"ord({cell})"

    def byte_length(self, cell: str) -> str:
        return f"strlen({cell})"

    def try_cast(self, value: str, sql_type: str) -> str:
        return f"TRY_CAST({value} AS {sql_type})"

    def make_date(self, year: str, month: str, day: str) -> str:
        """The date, NULL when there is no such day."""
        return f"TRY(make_date({year}, {month}, {day}))"

    def sql_type(self, kind: ColumnType) -> str:
        return self.text_type if kind in (ColumnType.STRING, ColumnType.CODE) else _SQL_TYPES[kind]


class SparkDialect(Dialect):
    """Spark SQL with ANSI mode on or off: every cast that may fail is a try_cast, every date built only if it exists.

    String literals escape backslashes (Spark reads them as escapes); whole-cell matches anchor with `\\z`, since Java's
    `$` also matches before a final line break.
    """

    name = "spark"
    text_type = "STRING"
    wide_integer_type = "DECIMAL(38, 0)"

    def literal(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def full_match(self, cell: str, pattern: str) -> str:
        anchored = "^(?:" + pattern + ")" + _END_OF_TEXT
        return f"({cell} RLIKE {self.literal(anchored)})"

    def extract(self, cell: str, pattern: str, group: int) -> str:
        anchored = "^" + pattern + _END_OF_TEXT
        return f"regexp_extract({cell}, {self.literal(anchored)}, {group})"

    def trimmed(self, cell: str, characters: str) -> str:
        return f"trim(BOTH {self.literal(characters)} FROM {cell})"

    def first_code(self, cell: str) -> str:
        return f"ascii({cell})"

    def byte_length(self, cell: str) -> str:
        return f"octet_length({cell})"

    def try_cast(self, value: str, sql_type: str) -> str:
        return f"try_cast({value} AS {sql_type})"

    def make_date(self, year: str, month: str, day: str) -> str:
        # make_date raises on a day that does not exist when ANSI mode is on: build it only when it exists.
        first = f"make_date({year}, {month}, 1)"
        return (
            f"CASE WHEN {year} BETWEEN 1 AND 9999 AND {month} BETWEEN 1 AND 12 AND {day} >= 1 "
            f"AND {day} <= day(last_day({first})) "
            f"THEN make_date({year}, {month}, {day}) END"
        )


_END_OF_TEXT = "\\z"
"""Java's end of input: `$` would also match before a final line break."""

DUCKDB = Dialect()
SPARK = SparkDialect()
DIALECTS = {dialect.name: dialect for dialect in (DUCKDB, SPARK)}


def raw_column(position: int) -> str:
    """The name of the engine's text column for the supplier's column at `position` (0-based)."""
    return f"c{position}"


def _sql_number(value: Decimal | int) -> str:
    return str(value)


def _sql_date(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


@dataclass(frozen=True)
class CompiledColumn:
    """One canonical column: its typed value, whether its cell is certainly fine, and (dates) the format used."""

    name: str
    sql_type: str
    value_sql: str
    clean_sql: str
    format_sql: str | None = None
    """Dates: the 1-based index of the profile's format the cell was written in (NULL when missing)."""


@dataclass(frozen=True)
class CompiledDelivery:
    """The SQL for one delivery through one profile: per-column expressions and the row predicates."""

    raw_columns: tuple[str, ...]
    columns: tuple[CompiledColumn, ...]
    blank_sql: str
    clean_sql: str
    duplicate_key: tuple[str, ...]
    date_formats: tuple[str, ...]

    def select_list(self) -> str:
        """`<value> AS <name>, ...` for every canonical column, in contract order."""
        return ", ".join(f"{column.value_sql} AS {column.name}" for column in self.columns)


_WHITESPACE_CODES = ", ".join(str(ord(character)) for character in PYTHON_WHITESPACE)


def _range(value: str, minimum: str | None, maximum: str | None) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{value} >= {minimum}")
    if maximum is not None:
        parts.append(f"{value} <= {maximum}")
    return " AND ".join(parts) or "TRUE"


def _date_pattern(date_format: str) -> tuple[str, list[str]]:
    """An RE2 pattern (ASCII digits only) for a profile date format, and the directive of each group."""
    pattern, groups, index = "", [], 0
    while index < len(date_format):
        piece = date_format[index : index + 2]
        if piece in _SQL_DATE_DIRECTIVES:
            name, regex = _SQL_DATE_DIRECTIVES[piece]
            pattern += regex
            groups.append(name)
            index += 2
        else:
            pattern += _RE2_SPECIAL.sub(r"\\\1", date_format[index])
            index += 1
    return pattern, groups


class CellSql:
    """The SQL of one cell's tests in a dialect: blank, missing, ASCII, and a date in one of the profile's formats."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def trimmed(self, cell: str) -> str:
        return self.dialect.trimmed(cell, PYTHON_WHITESPACE)

    def blank(self, cell: str) -> str:
        """Empty or white space only; the first character decides for nearly every cell, so trim only when a space."""
        return (
            f"(CASE WHEN {cell} = '' THEN TRUE WHEN {self.dialect.first_code(cell)} NOT IN ({_WHITESPACE_CODES}) "
            f"THEN FALSE ELSE {self.trimmed(cell)} = '' END)"
        )

    def missing(self, cell: str, profile: SourceProfile) -> str:
        """The row rules' "no value": empty, white space only, or one of the profile's null markers."""
        blank = self.blank(cell)
        if profile.null_values:
            markers = ", ".join(self.dialect.literal(value) for value in sorted(profile.null_values))
            return f"({blank} OR {cell} IN ({markers}))"
        return f"({blank})"

    def is_ascii(self, cell: str) -> str:
        return f"({self.dialect.byte_length(cell)} = length({cell}))"

    def date_from_format(self, cell: str, date_format: str) -> str:
        """SQL for the date `cell` holds in `date_format`, NULL when it does not match or is no real date."""
        dialect = self.dialect
        if date_format == "%Y-%m-%d":
            shape = dialect.full_match(cell, "[0-9]{4}-[0-9]{2}-[0-9]{2}")
            return f"CASE WHEN {shape} THEN {dialect.try_cast(cell, 'DATE')} END"
        pattern, groups = _date_pattern(date_format)
        parts = {name: dialect.extract(cell, pattern, i + 1) for i, name in enumerate(groups)}
        if "Y" in parts:
            year = dialect.try_cast(parts["Y"], "INTEGER")
        else:
            two = dialect.try_cast(parts["y"], "INTEGER")
            year = f"(CASE WHEN {two} < 69 THEN 2000 + {two} ELSE 1900 + {two} END)"  # the strptime pivot
        if "m" in parts:
            month = dialect.try_cast(parts["m"], "INTEGER")
        else:
            name = parts.get("b") or parts["B"]
            whens = " ".join(f"WHEN {dialect.literal(short)} THEN {n}" for n, short in enumerate(_MONTH_NAMES, start=1))
            month = f"(CASE lower(left({name}, 3)) {whens} END)"
        day = dialect.try_cast(parts["d"], "INTEGER")
        shape = dialect.full_match(cell, pattern)
        return f"CASE WHEN {shape} THEN {dialect.make_date(year, month, day)} END"


class DeliveryCompiler:
    """Compiles a contract, its code lists and a profile, for one delivery's header, into `CompiledDelivery`."""

    def __init__(
        self,
        *,
        contract: Contract,
        codelists: Mapping[str, Codelist],
        profile: SourceProfile,
        plan: HeaderPlan,
        received_on: dt.date,
        header_width: int,
        dialect: Dialect = DUCKDB,
    ) -> None:
        self.dialect = dialect
        self.cells = CellSql(dialect)
        self.contract = contract
        self.codelists = codelists
        self.profile = profile
        self.plan = plan
        self.received_on = received_on
        self.header_width = header_width

    def compile(self) -> CompiledDelivery:
        raw = tuple(raw_column(position) for position in range(self.header_width))
        columns = tuple(
            self._column(column, position)
            for column, position in zip(self.contract.columns, self.plan.positions, strict=True)
        )
        rest = " AND ".join(self.cells.blank(cell) for cell in raw[1:]) or "TRUE"
        blank = f"(CASE WHEN {raw[0]} <> '' THEN FALSE ELSE {rest} END)"
        conditions = [column.clean_sql for column in columns]
        # Fields past the header's last name (a trailing delimiter) must be empty, as the row rules allow.
        conditions += [self.cells.blank(cell) for cell in raw[self.plan.width :]]
        by_name = {column.name: column for column in columns}
        conditions += [self._check(check, by_name) for check in self.contract.checks]
        clean = " AND ".join(f"({condition})" for condition in conditions) or "TRUE"
        return CompiledDelivery(
            raw_columns=raw,
            columns=columns,
            blank_sql=blank,
            clean_sql=f"COALESCE({clean}, FALSE)",
            duplicate_key=tuple(self.contract.unique_key),
            date_formats=tuple(self.profile.date_formats),
        )

    # -- columns
    def _column(self, column: Column, position: int | None) -> CompiledColumn:
        sql_type = self.dialect.sql_type(column.type)
        if position is None:
            return CompiledColumn(column.name, sql_type, f"CAST(NULL AS {sql_type})", "TRUE")
        cell = raw_column(position)
        missing = self.cells.missing(cell, self.profile)
        value, certain, date_format = self._typed(column, cell)
        on_missing = "FALSE" if column.is_required else "TRUE"
        return CompiledColumn(
            name=column.name,
            sql_type=sql_type,
            value_sql=f"CASE WHEN {missing} THEN CAST(NULL AS {sql_type}) ELSE {value} END",
            clean_sql=f"CASE WHEN {missing} THEN {on_missing} ELSE COALESCE({certain}, FALSE) END",
            format_sql=None if date_format is None else f"CASE WHEN {missing} THEN NULL ELSE {date_format} END",
        )

    def _typed(self, column: Column, cell: str) -> tuple[str, str, str | None]:
        """(value SQL, "certainly fine" SQL, format-index SQL or None) for a cell that is not missing."""
        kind, dialect = column.type, self.dialect
        if kind is ColumnType.STRING:
            prefixes = ", ".join(dialect.literal(prefix) for prefix in FORMULA_PREFIXES)
            fits = f"length({cell}) <= {column.max_length}" if column.max_length is not None else "TRUE"
            return cell, f"({fits} AND left({cell}, 1) NOT IN ({prefixes}))", None
        if kind is ColumnType.INTEGER:
            value = dialect.try_cast(cell, "BIGINT")
            low = _sql_number(int(column.minimum)) if isinstance(column.minimum, Decimal) else None
            high = _sql_number(int(column.maximum)) if isinstance(column.maximum, Decimal) else None
            shape = dialect.full_match(cell, f"[0-9]{{1,{MAX_INTEGER_DIGITS}}}")
            return value, f"({shape} AND {_range(value, low, high)})", None
        if kind is ColumnType.DECIMAL:
            value = dialect.try_cast(cell, f"DECIMAL(18, {DECIMAL_SCALE})")
            low = _sql_number(column.minimum) if isinstance(column.minimum, Decimal) else None
            high = _sql_number(column.maximum) if isinstance(column.maximum, Decimal) else None
            shape = dialect.full_match(cell, f"-?[0-9]{{1,{DECIMAL_INTEGER_DIGITS}}}(\\.[0-9]{{1,{DECIMAL_SCALE}}})?")
            return value, f"({shape} AND {_range(value, low, high)})", None
        if kind is ColumnType.BOOLEAN:
            folded = f"lower({self.cells.trimmed(cell)})"
            trues = ", ".join(dialect.literal(value) for value in sorted(self.profile.true_values)) or "NULL"
            falses = ", ".join(dialect.literal(value) for value in sorted(self.profile.false_values)) or "NULL"
            value = f"CASE WHEN {folded} IN ({trues}) THEN TRUE WHEN {folded} IN ({falses}) THEN FALSE END"
            return value, f"({self.cells.is_ascii(cell)} AND ({value}) IS NOT NULL)", None
        if kind is ColumnType.DATE:
            return self._date(column, cell)
        return self._code(column, cell)

    def _date(self, column: Column, cell: str) -> tuple[str, str, str]:
        earliest, latest = date_bounds(column, self.received_on)
        parsed = [self.cells.date_from_format(cell, date_format) for date_format in self.profile.date_formats]
        value = parsed[0] if len(parsed) == 1 else f"COALESCE({', '.join(parsed)})"
        which = " ".join(f"WHEN ({sql}) IS NOT NULL THEN {i}" for i, sql in enumerate(parsed, start=1))
        certain = f"({value} BETWEEN {_sql_date(earliest)} AND {_sql_date(latest)})"
        return value, certain, f"CASE {which} END"

    def _code(self, column: Column, cell: str) -> tuple[str, str, None]:
        codelist = self.codelists[column.codelist or ""]
        exact = {code: code for code in codelist.values if code == code.strip(PYTHON_WHITESPACE)}
        for key, code in self.profile.code_map.get(column.name, {}).items():
            exact.pop(key, None)
            if key == key.strip(PYTHON_WHITESPACE):
                exact[key] = code
        if not exact:
            return f"CAST(NULL AS {self.dialect.text_type})", "FALSE", None
        literal = self.dialect.literal
        whens = " ".join(f"WHEN {literal(key)} THEN {literal(code)}" for key, code in sorted(exact.items()))
        value = f"(CASE {cell} {whens} END)"
        return value, f"({value} IS NOT NULL)", None

    # -- checks across columns
    def _check(self, check: Check, by_name: Mapping[str, CompiledColumn]) -> str:
        other = by_name[check.other].value_sql
        parts = [by_name[name].value_sql for name in check.columns]
        if check.rule == "not_before":
            return f"NOT COALESCE(({parts[0]}) < ({other}), FALSE)"
        # Whole numbers are summed as 128-bit integers: eighteen-digit cells must not overflow the check.
        widened = [
            f"CAST(({part}) AS {self.dialect.wide_integer_type})" if by_name[name].sql_type == "BIGINT" else f"({part})"
            for name, part in zip(check.columns, parts, strict=True)
        ]
        total = " + ".join(widened)
        return f"NOT COALESCE(({total}) > ({other}), FALSE)"


_SQL_TYPES = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.CODE: "VARCHAR",
    ColumnType.DATE: "DATE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.DECIMAL: f"DECIMAL(18, {DECIMAL_SCALE})",
    ColumnType.BOOLEAN: "BOOLEAN",
}


def compile_delivery(
    *,
    contract: Contract,
    codelists: Mapping[str, Codelist],
    profile: SourceProfile,
    plan: HeaderPlan,
    received_on: dt.date,
    header_width: int,
    dialect: Dialect = DUCKDB,
) -> CompiledDelivery:
    """The SQL for validating one delivery's rows in `dialect` (see the module's docstring)."""
    return DeliveryCompiler(
        contract=contract,
        codelists=codelists,
        profile=profile,
        plan=plan,
        received_on=received_on,
        header_width=header_width,
        dialect=dialect,
    ).compile()


def merge_date_use(
    counts: Sequence[tuple[str, int, Sequence[int]]], *, keep_lines: int
) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Combine (format, count, first lines) tallies of one date column into counts and lines in order of first use."""
    totals: dict[str, int] = {}
    lines: dict[str, list[int]] = {}
    for date_format, count, first_lines in counts:
        totals[date_format] = totals.get(date_format, 0) + count
        lines[date_format] = sorted([*lines.get(date_format, []), *first_lines])[:keep_lines]
    order = sorted(totals, key=lambda date_format: lines[date_format][0] if lines[date_format] else 0)
    return {fmt: totals[fmt] for fmt in order}, {fmt: lines[fmt] for fmt in order}
