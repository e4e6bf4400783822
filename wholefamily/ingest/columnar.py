"""Columnar validation of a CSV delivery on DuckDB: the data contract's checks as SQL, at the engine's speed (ADR 0028).

DuckDB reads the file with every column as text and numbers each record (`WITH ORDINALITY`: the header is line 1, as
the row path counts). `wholefamily.domain.columnar` compiles the contract into a predicate saying which rows are
certainly clean, and their typed values. One pass writes a stage file with every row; the rows that are not certainly
clean (usually none) go through the domain's `RowValidator`, which gives every reason of the report; duplicates
within the delivery and the mixed-date-formats rule are settled over both; the accepted rows are written as the
version's `data.parquet` (and the bad ones, under the quarantine policy, as `quarantine.parquet`) in line order.

The report, counts and files are those of the row-by-row path. Files this path cannot read exactly as Python's csv
module does (another encoding, blank lines, mixed or bare line breaks, rows of the wrong width, bad quoting, over-long
lines, NUL bytes) make `validate_csv` return None before anything is kept, and the caller runs the row path, whose
refusals and messages are the reference. Everything is written under the version's locked temporary folder, so a
killed import leaves nothing that `clean_abandoned` does not remove.

With the Spark engine (`validate_csv(validation_class=SparkCsvValidation)`, chosen by `ingest.services`),
`wholefamily.ingest.spark` runs the first pass (reading the file and the contract's checks) in Spark SQL and the later
passes here read its stage (ADR 0033).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from wholefamily.dataplane.scratch import duckdb_config, duckdb_temp_directory
from wholefamily.domain.columnar import DUCKDB, CompiledDelivery, Dialect, compile_delivery, merge_date_use, sql_text
from wholefamily.domain.contract import Codelist, Contract
from wholefamily.domain.validation import (
    LINES_NAMED,
    HeaderPlan,
    Problem,
    RowValidator,
    Severity,
    SourceProfile,
    duplicate_reason,
)
from wholefamily.ingest.store import DATA_FILE, QUARANTINE_FILE, VersionWriter, arrow_schema

SCAN_CHUNK = 4 * 1024 * 1024
STAGE_FILE = ".stage.parquet"
CHECKED_FILE = ".checked.parquet"
PROBLEMS_FILE = ".problems.parquet"
COLUMNAR_ENCODINGS = frozenset({"utf-8", "utf-8-sig"})
PYTHON_BATCH_ROWS = 10_000
INGEST_ENGINES = ("duckdb", "spark")
WRITE_BATCH_ROWS = 122_880
DUPLICATE_SEQ = 1_000_000
"""Orders a row's duplicate problem after its other problems, as the row rules add it last."""


def memory_limit() -> str:
    return os.environ.get("WHOLEFAMILY_INGEST_MEMORY", "512MB")


@dataclass(frozen=True)
class ByteScan:
    """What one pass over a file's bytes says: its checksum, and whether an engine can read it as Python's csv does."""

    sha256: str
    has_nul: bool
    has_blank_line: bool
    carriage_returns: int
    crlf: int
    line_feeds: int
    space_after_quote: bool = False
    """A quote, spaces (tabs included), then a delimiter other than tab or a line break: DuckDB and Spark drop spaces
    after a closing quote where Python's csv refuses the file (and the row path gives the reason)."""
    space_after_quote_in_tabs: bool = False
    """The same where the delimiter is a tab: a quote, spaces other than tabs, then a tab or a line break."""

    def is_plain_text(self, delimiter: str) -> bool:
        """No NUL byte, no blank line, no spaces after a quote, and one kind of line break (LF, CRLF or CR)."""
        spaced = self.space_after_quote_in_tabs if delimiter == "\t" else self.space_after_quote
        if self.has_nul or self.has_blank_line or spaced:
            return False
        if self.carriage_returns == 0 or self.line_feeds == 0:
            return True
        return self.carriage_returns == self.crlf == self.line_feeds


_SPACES = b"\x01-\x08\x0b\x0c\x0e-\x20"
"""What DuckDB and Spark's reader skip after a closing quote, but tabs and line breaks."""
_QUOTE_THEN_SPACES = re.compile(b'"[\t' + _SPACES + b"]+[,;|\r\n]")
_QUOTE_THEN_SPACES_IN_TABS = re.compile(b'"[' + _SPACES + b"]+[\t\r\n]")
_QUOTE_THEN_SPACES_AT_END = re.compile(b'"[\t' + _SPACES + b"]*\\Z")
"""A quote and spaces ending a chunk: carried into the next one, since what follows decides."""


def scan_bytes(path: Path) -> ByteScan:
    """Checksum the file and count its line breaks in one read (the C loops of hashlib, bytes and re)."""
    digest = hashlib.sha256()
    has_nul = has_blank = spaced = spaced_in_tabs = False
    cr = crlf = lf = 0
    previous = quote_tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(SCAN_CHUNK):
            digest.update(chunk)
            if b'"' in chunk or quote_tail:
                quoted = quote_tail + chunk
                spaced = spaced or _QUOTE_THEN_SPACES.search(quoted) is not None
                spaced_in_tabs = spaced_in_tabs or _QUOTE_THEN_SPACES_IN_TABS.search(quoted) is not None
                at_end = _QUOTE_THEN_SPACES_AT_END.search(quoted)
                quote_tail = quoted[at_end.start() :] if at_end else b""
            joined = previous + chunk
            has_nul = has_nul or b"\x00" in chunk
            has_blank = has_blank or b"\n\n" in joined or b"\n\r" in joined or b"\r\r" in joined
            cr += chunk.count(b"\r")
            lf += chunk.count(b"\n")
            crlf += joined.count(b"\r\n") - previous.count(b"\r\n")
            previous = chunk[-1:]
    # Spaces after the file's last quote, with nothing after them.
    spaced = spaced or len(quote_tail) > 1
    spaced_in_tabs = spaced_in_tabs or len(quote_tail.replace(b"\t", b"")) > 1
    return ByteScan(digest.hexdigest(), has_nul, has_blank, cr, crlf, lf, spaced, spaced_in_tabs)


@dataclass
class ColumnarOutcome:
    rows_read: int
    rows_bad: int
    rows_accepted: int
    cells_flagged: int
    period_low: Any
    period_high: Any


class Fallback(Exception):
    """The engine cannot read the file as Python's csv module would: run the row path."""


def _read_csv_sql(path: Path, *, width: int, delimiter: str, max_line: int) -> str:
    columns = ", ".join(f"'column{i}': 'VARCHAR'" for i in range(width))
    return (
        f"read_csv({sql_text(str(path))}, auto_detect = false, header = false, columns = {{{columns}}}, "
        f"delim = {sql_text(delimiter)}, quote = '\"', escape = '\"', strict_mode = true, "
        f"max_line_size = {int(max_line)}, encoding = 'utf-8') WITH ORDINALITY"
    )


def _connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    duckdb_temp_directory().mkdir(parents=True, exist_ok=True)  # DuckDB makes only the last level when it spills
    connection = duckdb.connect(":memory:", config=duckdb_config())
    connection.execute(f"SET memory_limit = {sql_text(memory_limit())}").fetchall()
    connection.execute("SET preserve_insertion_order = true").fetchall()
    if threads:
        connection.execute(f"SET threads = {int(threads)}").fetchall()
    return connection


class CsvColumnarValidation:
    """One CSV delivery validated on DuckDB into a version writer's temporary folder."""

    dialect: Dialect = DUCKDB
    """The dialect of the first pass (reading the file and the contract's checks); the later passes are DuckDB's."""

    def __init__(
        self,
        *,
        path: Path,
        header: list[Any],
        delimiter: str,
        contract: Contract,
        codelists: dict[str, Codelist],
        profile: SourceProfile,
        plan: HeaderPlan,
        received_on: dt.date,
        writer: VersionWriter,
        max_line: int,
        add_problem: Callable[[Problem], None],
    ) -> None:
        self.path = path
        self.header = header
        self.width = len(header)
        self.contract = contract
        self.writer = writer
        self.add_problem = add_problem
        self.compiled: CompiledDelivery = compile_delivery(
            contract=contract,
            codelists=codelists,
            profile=profile,
            plan=plan,
            received_on=received_on,
            header_width=self.width,
            dialect=self.dialect,
        )
        self.validator = RowValidator(
            contract=contract,
            codelists=codelists,
            profile=profile,
            plan=plan,
            received_on=received_on,
            check_duplicates=False,
        )
        self.source_sql = _read_csv_sql(path, width=self.width, delimiter=delimiter, max_line=max_line)
        self.stage = writer.tmp / STAGE_FILE
        self.stage_scan = f"read_parquet({sql_text(str(self.stage))})"
        self.checked = writer.tmp / CHECKED_FILE
        self.problems = writer.tmp / PROBLEMS_FILE
        self.connection = _connect()

    # -- the passes
    def stage_rows(self) -> None:
        """Pass 1: read the file once; write every row's flags, typed values, date formats and (if not clean) text."""
        compiled = self.compiled
        raw = ", ".join(f"COALESCE(column{i}, '') AS c{i}" for i in range(self.width))
        formats = [
            f'{column.format_sql} AS "f_{column.name}"' for column in compiled.columns if column.format_sql is not None
        ]
        flagged = ", ".join(
            f"CASE WHEN NOT is_clean AND NOT is_blank THEN {cell} END AS {cell}" for cell in compiled.raw_columns
        )
        typed = ", ".join([compiled.select_list(), *formats])
        sql = (
            f"COPY (SELECT line, is_blank, is_clean, {', '.join(self._typed_names())}, {flagged} FROM ("
            f"SELECT line, {compiled.blank_sql} AS is_blank, {compiled.clean_sql} AS is_clean, {typed}, "
            f"{', '.join(compiled.raw_columns)} FROM (SELECT ordinality AS line, {raw} FROM {self.source_sql}) "
            f"WHERE line > 1)) TO {sql_text(str(self.stage))} (FORMAT parquet, COMPRESSION lz4_raw)"
        )
        try:
            self._run(sql)
        except duckdb.Error as error:
            # Reading errors (quoting, widths, encoding, line size), or a value the SQL cannot hold: the row path.
            if isinstance(
                error, duckdb.InvalidInputException | duckdb.ConversionException | duckdb.OutOfRangeException
            ):
                raise Fallback(str(error)) from None
            raise

    def _run(self, sql: str) -> None:
        self.connection.execute(sql).fetchall()

    def _write(self, sql: str, path: Path, schema: pa.Schema) -> None:
        """Stream a query's rows into a Parquet file with exactly the store's schema (as the row path writes it)."""
        reader = self.connection.sql(sql).to_arrow_reader(WRITE_BATCH_ROWS)
        with pq.ParquetWriter(path, schema, compression="zstd") as target:
            for batch in reader:
                target.write_batch(batch.rename_columns(schema.names).cast(schema))

    def _typed_names(self) -> list[str]:
        names = [column.name for column in self.compiled.columns]
        names += [f'"f_{column.name}"' for column in self.compiled.columns if column.format_sql is not None]
        return names

    def check_the_others(self) -> tuple[int, int]:
        """Pass 2: the rows that are not certainly clean, through RowValidator in line order; (good, bad) counts."""
        schema = arrow_schema(self.contract)
        checked_schema = pa.schema([pa.field("has_error", pa.bool_()), *schema])
        problem_schema = pa.schema(
            [
                pa.field("line", pa.int64()),
                pa.field("seq", pa.int64()),
                pa.field("severity", pa.string()),
                pa.field("column", pa.string()),
                pa.field("reason", pa.string()),
                pa.field("value", pa.string()),
            ]
        )
        good = bad = 0
        raw = ", ".join(self.compiled.raw_columns)
        reader = self.connection.sql(
            f"SELECT line, {raw} FROM {self.stage_scan} WHERE NOT is_clean AND NOT is_blank ORDER BY line"
        ).to_arrow_reader(PYTHON_BATCH_ROWS)
        with (
            pq.ParquetWriter(self.checked, checked_schema) as checked,
            pq.ParquetWriter(self.problems, problem_schema) as problems,
        ):
            for batch in reader:
                lines = batch.column(0).to_pylist()
                cells_by_column = [batch.column(i + 1).to_pylist() for i in range(self.width)]
                rows: list[list[Any]] = []
                found: list[list[Any]] = []
                for index, line in enumerate(lines):
                    cells = [column[index] for column in cells_by_column]
                    result = self.validator.validate(line, cells)
                    for seq, problem in enumerate(result.problems):
                        found.append([line, seq, problem.severity.value, problem.column, problem.reason, problem.value])
                    if result.is_bad:
                        bad += 1
                        rows.append([True, *([None] * len(self.contract.columns)), line])
                    else:
                        good += 1
                        rows.append([False, *result.values, line])
                checked.write_table(_table(rows, checked_schema))
                problems.write_table(_table(found, problem_schema))
        return good, bad

    def date_use(self) -> None:
        """Fold the clean rows' date formats into the validator's, so that its `finish` sees the whole delivery."""
        formats = self.compiled.date_formats
        for column in self.compiled.columns:
            if column.format_sql is None:
                continue
            tallies = self.connection.execute(
                f'SELECT "f_{column.name}", count(*), min(line, {LINES_NAMED + 1}) '
                f"FROM {self.stage_scan} "
                f'WHERE is_clean AND NOT is_blank AND "f_{column.name}" IS NOT NULL GROUP BY ALL'
            ).fetchall()
            use = self.validator.date_use[column.name]
            merged = [(formats[index - 1], int(count), sorted(lines)) for index, count, lines in tallies]
            merged += [(fmt, count, use.lines.get(fmt, [])) for fmt, count in use.counts.items()]
            use.counts, use.lines = merge_date_use(merged, keep_lines=LINES_NAMED + 1)

    def duplicates(self) -> int:
        """Rows repeating an earlier accepted row's key, recorded as problems; returns how many."""
        keys: list[tuple[str, ...]] = [("source_record_id",)]
        if tuple(self.contract.unique_key) != ("source_record_id",):
            keys.append(tuple(self.contract.unique_key))
        stage, checked = self.stage_scan, sql_text(str(self.checked))
        self._run("CREATE TEMPORARY TABLE duplicate_rows (line BIGINT, first BIGINT, key INTEGER)")
        for number, key in enumerate(keys):
            columns = ", ".join(key)
            present = " AND ".join(f"{name} IS NOT NULL" for name in key)
            self._run(
                f"INSERT INTO duplicate_rows WITH candidates AS ("
                f"SELECT line, {columns} FROM {stage} WHERE is_clean AND NOT is_blank AND {present} "
                f"UNION ALL SELECT source_line AS line, {columns} FROM read_parquet({checked}) "
                f"WHERE NOT has_error AND {present}), "
                f"kept AS (SELECT * FROM candidates WHERE line NOT IN (SELECT line FROM duplicate_rows)), "
                f"firsts AS (SELECT {columns}, min(line) AS first FROM kept GROUP BY ALL HAVING count(*) > 1) "
                f"SELECT kept.line, firsts.first, {number} FROM kept JOIN firsts USING ({columns}) "
                f"WHERE kept.line > firsts.first"
            )
        rows = self.connection.execute("SELECT line, first, key FROM duplicate_rows ORDER BY line").fetchall()
        if rows:
            table = pa.table(
                {
                    "line": [line for line, _, _ in rows],
                    "seq": [DUPLICATE_SEQ] * len(rows),
                    "severity": [Severity.ERROR.value] * len(rows),
                    "column": [", ".join(keys[key]) for _, _, key in rows],
                    "reason": [duplicate_reason(first, keys[key]) for _, first, key in rows],
                    "value": [""] * len(rows),
                }
            )
            self.connection.register("duplicate_problems", table)
        return len(rows)

    def report(self, has_duplicates: bool) -> Iterator[Problem]:
        """Every problem in the row path's order: by line, then as the row rules found them."""
        source = f"SELECT * FROM read_parquet({sql_text(str(self.problems))})"
        if has_duplicates:
            source += " UNION ALL SELECT * FROM duplicate_problems"
        reader = self.connection.sql(f"SELECT * FROM ({source}) ORDER BY line, seq").to_arrow_reader(PYTHON_BATCH_ROWS)
        for batch in reader:
            for line, _, severity, column, reason, value in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                yield Problem(line, column, reason, value, Severity(severity))

    def write_data(self, *, python_good: int, has_duplicates: bool) -> None:
        """The accepted rows, in line order, as the version's data.parquet."""
        names = ", ".join(self.contract.column_names)
        stage, checked = self.stage_scan, sql_text(str(self.checked))
        not_duplicate = "line NOT IN (SELECT line FROM duplicate_rows)" if has_duplicates else "TRUE"
        sql = f"SELECT {names}, line AS source_line FROM {stage} WHERE is_clean AND NOT is_blank"
        if has_duplicates:
            sql += f" AND {not_duplicate}"
        if python_good or has_duplicates:
            sql += (
                f" UNION ALL SELECT {names}, source_line FROM read_parquet({checked}) WHERE NOT has_error"
                + (" AND source_line NOT IN (SELECT line FROM duplicate_rows)" if has_duplicates else "")
                + " ORDER BY source_line"
            )
        self._write(sql, self.writer.tmp / DATA_FILE, self.writer.schema)

    def write_quarantine(self, *, has_duplicates: bool) -> None:
        """The bad rows as delivered, with their line and reasons, as the version's quarantine.parquet."""
        names = self.writer.quarantine_names[:-2]
        stage = self.stage_scan
        checked, problems = (sql_text(str(p)) for p in (self.checked, self.problems))
        bad = f"SELECT source_line AS line FROM read_parquet({checked}) WHERE has_error"
        errors = f"SELECT line, seq, \"column\", reason FROM read_parquet({problems}) WHERE severity = 'error'"
        if has_duplicates:
            bad += " UNION ALL SELECT line FROM duplicate_rows"
            errors += ' UNION ALL SELECT line, seq, "column", reason FROM duplicate_problems'
        cells = ", ".join(f"c{i}" for i in range(self.width))
        self._run(f"CREATE TEMPORARY TABLE bad_lines AS {bad}")
        self._run(
            f"CREATE TEMPORARY TABLE bad_text AS SELECT line, {cells} FROM {stage} "
            "WHERE line IN (SELECT line FROM bad_lines) AND NOT is_clean"
        )
        if has_duplicates:
            self.add_clean_text(cells)
        quoted = ", ".join(f'c{i} AS "{name.replace(chr(34), chr(34) * 2)}"' for i, name in enumerate(names))
        reasons = (
            "string_agg(CASE WHEN \"column\" <> '' THEN \"column\" || ': ' ELSE '' END || reason, '; ' ORDER BY seq)"
        )
        self._write(
            f"SELECT {quoted}, bad_text.line AS _source_line, reasons.text AS _problems FROM bad_text "
            f"LEFT JOIN (SELECT line, {reasons} AS text FROM ({errors}) GROUP BY line) AS reasons USING (line) "
            "ORDER BY bad_text.line",
            self.writer.tmp / QUARANTINE_FILE,
            self.writer.quarantine_schema,
        )

    def add_clean_text(self, cells: str) -> None:
        """Rows the engine found clean keep no text in the stage: read those (duplicates) from the file again."""
        raw = ", ".join(f"COALESCE(column{i}, '') AS c{i}" for i in range(self.width))
        self._run(
            f"INSERT INTO bad_text SELECT line, {cells} FROM (SELECT ordinality AS line, {raw} FROM "
            f"{self.source_sql}) WHERE line IN (SELECT line FROM bad_lines) "
            "AND line NOT IN (SELECT line FROM bad_text)"
        )

    def period(self) -> tuple[Any, Any]:
        column = self.contract.period_column
        if not column:
            return None, None
        target = sql_text(str(self.writer.tmp / DATA_FILE))
        rows = self.connection.execute(f"SELECT min({column}), max({column}) FROM read_parquet({target})").fetchall()
        return rows[0][0], rows[0][1]

    def rows_read(self) -> int:
        rows = self.connection.execute(f"SELECT count(*) FROM {self.stage_scan} WHERE NOT is_blank").fetchall()
        return int(rows[0][0])

    def close(self) -> None:
        self.connection.close()
        for path in (self.stage, self.checked, self.problems):
            path.unlink(missing_ok=True)


def _table(rows: list[list[Any]], schema: pa.Schema) -> pa.Table:
    if not rows:
        return schema.empty_table()
    columns = zip(*rows, strict=True)
    return pa.Table.from_arrays(
        [pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)], schema=schema
    )


def validate_csv(
    *,
    path: Path,
    header: list[Any],
    delimiter: str,
    contract: Contract,
    codelists: dict[str, Codelist],
    profile: SourceProfile,
    plan: HeaderPlan,
    received_on: dt.date,
    writer: VersionWriter,
    max_line: int,
    is_reject: bool,
    add_problem: Callable[[Problem], None],
    on_staged: Callable[[int], None] | None = None,
    on_counted: Callable[[ColumnarOutcome], None] | None = None,
    validation_class: type[CsvColumnarValidation] = CsvColumnarValidation,
    **extra: Any,
) -> ColumnarOutcome | None:
    """Validate and store a CSV delivery; None when the file needs the row path (nothing then kept).

    Problems go to `add_problem` in the row path's order; `RowValidator.finish` runs at the end (and may refuse).
    `validation_class` is the engine's first pass: this module's on DuckDB, `ingest.spark`'s on Spark (chosen by
    `ingest.services`, so that module and this one do not import each other); `extra` goes to it.
    """
    validation = validation_class(
        **extra,
        path=path,
        header=header,
        delimiter=delimiter,
        contract=contract,
        codelists=codelists,
        profile=profile,
        plan=plan,
        received_on=received_on,
        writer=writer,
        max_line=max_line,
        add_problem=add_problem,
    )
    try:
        try:
            validation.stage_rows()
        except Fallback:
            return None
        rows_read = validation.rows_read()
        if on_staged is not None:
            on_staged(rows_read)
        python_good, python_bad = validation.check_the_others()
        validation.date_use()
        duplicates = validation.duplicates()
        flagged = 0
        for problem in validation.report(duplicates > 0):
            add_problem(problem)
            flagged += problem.severity is Severity.WARNING
        rows_bad = python_bad + duplicates
        outcome = ColumnarOutcome(
            rows_read=rows_read,
            rows_bad=rows_bad,
            rows_accepted=rows_read - rows_bad,
            cells_flagged=flagged,
            period_low=None,
            period_high=None,
        )
        if on_counted is not None:
            on_counted(outcome)
        validation.validator.finish()
        if outcome.rows_accepted and not (is_reject and rows_bad):
            validation.write_data(python_good=python_good, has_duplicates=duplicates > 0)
            outcome.period_low, outcome.period_high = validation.period()
            if rows_bad:
                validation.write_quarantine(has_duplicates=duplicates > 0)
            writer.files_written_by_engine()
        return outcome
    finally:
        validation.close()
