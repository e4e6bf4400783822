"""Columnar validation of a CSV delivery on Spark: the first pass of `ingest.columnar` in Spark SQL (ADR 0033).

Spark reads the delivered file (every column as text, one record per CSV record, numbered as the row path numbers
them) and evaluates the data contract's checks, compiled by `wholefamily.domain.columnar` in the Spark dialect, into
a stage of Parquet files in the version's temporary folder. The later passes (the rows not certainly clean through
`RowValidator`, duplicates, the report, the version's files) read that stage exactly as they read DuckDB's, so the
report, counts and files are the row path's, as on DuckDB.

Spark's CSV reader is not Python's csv module. Everything it would read differently sends the delivery down the row
path before anything is kept, as DuckDB's reading errors do (the byte scan's findings apply to both engines: another
encoding, NUL bytes, blank lines, mixed line breaks, spaces after a closing quote). On Spark, also: a record of the
wrong width, bad or unclosed quoting (`FAILFAST`; unescaped quotes raise), a field over the line limit, bytes that
are not UTF-8 (Spark would replace them with U+FFFD, so any U+FFFD does), any cell holding a double quote (Spark
accepts quotes inside unquoted values, which DuckDB refuses), a line break inside a value of a file with carriage
returns (Spark writes it as LF), a record that may be longer than the line limit, and a file whose name Spark would
read as a pattern of names (`*`, `?`, `[`, `{`, `,`, `:` or a backslash).
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from wholefamily.domain.columnar import SPARK, Dialect, sql_text
from wholefamily.ingest.columnar import CsvColumnarValidation, Fallback

STAGE_FOLDER = ".stage"
STAGE_ROW_GROUP_BYTES = 8 * 1024 * 1024
"""Parquet row groups of the stage Spark writes: small enough for DuckDB to read several within the import's memory."""
READING_ERRORS = ("FAILED_READ_FILE", "MALFORMED_RECORD", "TextParsingException", "MalformedCSVException")
"""Spark's words for a file its CSV reader could not read: the row path reads it (and gives the reasons)."""
PATH_PATTERN_CHARACTERS = frozenset("*?[]{}\\,:")
"""Spark (Hadoop) reads these in a path as a pattern or a scheme: such a file takes the row path rather than another."""


class SparkCsvValidation(CsvColumnarValidation):
    """One CSV delivery's first pass on Spark SQL; the rest as `CsvColumnarValidation` does it."""

    dialect: Dialect = SPARK

    def __init__(self, *, has_carriage_returns: bool, delimiter: str, max_line: int, **options: Any) -> None:
        super().__init__(delimiter=delimiter, max_line=max_line, **options)
        from wholefamily.dataplane.spark import spark_session

        self.delimiter = delimiter
        self.max_line = max_line
        self.has_carriage_returns = has_carriage_returns
        self.session = spark_session(app_name="wholefamily-ingest")
        self.view = f"delivery_{uuid.uuid4().hex}"
        self.stage = self.writer.tmp / STAGE_FOLDER
        self.stage_scan = f"read_parquet({sql_text(str(self.stage / '*.parquet'))})"

    def _read(self) -> None:
        """The delivered file as a view: `line` (the header is 1) and `c0`, `c1`, ... as text, '' for an empty field."""
        from pyspark.sql import functions
        from pyspark.sql.types import StringType, StructField, StructType

        if any(character in PATH_PATTERN_CHARACTERS for character in str(self.path)):
            raise Fallback("a file name Spark would read as a pattern of names")
        schema = StructType([StructField(f"column{i}", StringType()) for i in range(self.width)])
        frame = self.session.read.csv(
            str(self.path),
            schema=schema,
            header=False,
            sep=self.delimiter,
            quote='"',
            escape='"',
            comment=None,
            multiLine=True,
            mode="FAILFAST",
            encoding="UTF-8",
            unescapedQuoteHandling="RAISE_ERROR",
            ignoreLeadingWhiteSpace=False,
            ignoreTrailingWhiteSpace=False,
            maxCharsPerColumn=self.max_line,
        )
        # One partition (a multi-line CSV file is never split), so the ids are the records' order from 0.
        if frame.rdd.getNumPartitions() != 1:
            raise Fallback("the file was read in more than one part")
        cells = [functions.coalesce(frame[f"column{i}"], functions.lit("")).alias(f"c{i}") for i in range(self.width)]
        frame.select((functions.monotonically_increasing_id() + 1).alias("line"), *cells).createOrReplaceTempView(
            self.view
        )

    def _suspect_sql(self) -> str:
        """TRUE for a row Spark may have read otherwise than Python's csv module (see the module's docstring)."""
        literal = SPARK.literal
        joined = f"concat({', '.join(self.compiled.raw_columns)})"
        parts = [
            f"instr({joined}, {literal(chr(0xFFFD))}) > 0",
            f"instr({joined}, {literal(chr(34))}) > 0",
            f"2 * length({joined}) + {3 * self.width} > {int(self.max_line)}",
        ]
        if self.has_carriage_returns:
            parts.append(f"instr({joined}, char(10)) > 0 OR instr({joined}, char(13)) > 0")
        return " OR ".join(f"({part})" for part in parts)

    def stage_rows(self) -> None:
        """Pass 1 on Spark: read the file once; write every row's flags, typed values, date formats and (if not clean)
        text, as DuckDB's first pass does; then the rows Spark may have misread send the file down the row path."""
        try:
            self._read()
            compiled = self.compiled
            formats = [
                f"{column.format_sql} AS `f_{column.name}`"
                for column in compiled.columns
                if column.format_sql is not None
            ]
            typed_names = [column.name for column in compiled.columns]
            typed_names += [f"`f_{column.name}`" for column in compiled.columns if column.format_sql is not None]
            flagged = ", ".join(
                f"CASE WHEN NOT is_clean AND NOT is_blank THEN {cell} END AS {cell}" for cell in compiled.raw_columns
            )
            typed = ", ".join([compiled.select_list(), *formats])
            sql = (
                f"SELECT line, is_blank, is_clean, {', '.join(typed_names)}, {flagged}, is_suspect FROM ("
                f"SELECT line, {compiled.blank_sql} AS is_blank, {compiled.clean_sql} AS is_clean, {typed}, "
                f"{', '.join(compiled.raw_columns)}, {self._suspect_sql()} AS is_suspect "
                f"FROM {self.view} WHERE line > 1)"
            )
            # Row groups of DuckDB's size, not Spark's 128 MB: DuckDB's later passes read the stage within the
            # import's memory limit, and a 128 MB row group of text columns did not fit (10,000,000 rows, 512MB).
            writer = (
                self.session.sql(sql).write.mode("errorifexists").option("parquet.block.size", STAGE_ROW_GROUP_BYTES)
            )
            writer.parquet(str(self.stage))
        except Fallback:
            raise
        except Exception as error:
            if any(word in str(error) for word in READING_ERRORS):
                raise Fallback(str(error)[:500]) from None
            raise
        if not any(self.stage.glob("*.parquet")):
            raise Fallback("Spark wrote no rows")
        suspect = self.connection.execute(f"SELECT bool_or(is_suspect) FROM {self.stage_scan}").fetchall()
        if suspect[0][0]:
            raise Fallback("a row Spark may not read as Python's csv module does")

    def add_clean_text(self, cells: str) -> None:
        """The text of clean rows that turned out duplicates, read again from the file by Spark."""
        lines = self.connection.execute(
            "SELECT line FROM bad_lines WHERE line NOT IN (SELECT line FROM bad_text) ORDER BY line"
        ).fetchall()
        if not lines:
            return
        wanted = ", ".join(str(int(line)) for (line,) in lines)
        table = self.session.sql(f"SELECT line, {cells} FROM {self.view} WHERE line IN ({wanted})").toArrow()
        self.connection.register("clean_text", table)
        self._run(f"INSERT INTO bad_text SELECT line, {cells} FROM clean_text")

    def close(self) -> None:
        self.session.catalog.dropTempView(self.view)
        shutil.rmtree(Path(self.stage), ignore_errors=True)
        super().close()
