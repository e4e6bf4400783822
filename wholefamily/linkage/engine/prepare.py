"""Records of every input dataset gathered into one table, cleaned, and collapsed into profiles for Splink.

A *profile* is one distinct way an agency holds one of its persons: rows of one kind with the same
source_person_id and the same identifying values. Splink compares profiles, not rows: an attendance file
with twenty terms for a pupil gives one or two profiles, not twenty.
"""

# ruff: noqa: S608  (SQL here is built from our own table and column names and paths, never from user input)

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from wholefamily.dataplane.scratch import duckdb_config
from wholefamily.domain.addresses import clean_address, clean_uprn, house_number, parse_postcode
from wholefamily.domain.names import NicknameTable, clean_forename, clean_surname, surname_parts

IDENTIFIER_COLUMNS = ("nhs_number", "ni_number", "pupil_number", "social_care_id", "police_id")
# Contact details a file may carry (optional in the persons layout): compared, never used to build households.
CONTACT_COLUMNS = ("email", "phone")
# Every column of the persons layout linkage reads (the names `--column name=their_name` maps onto).
LAYOUT_COLUMNS = (
    "source_record_id", "source_person_id", "forename", "surname", "date_of_birth", "sex", "address", "postcode",
    "uprn", *IDENTIFIER_COLUMNS, *CONTACT_COLUMNS,
)  # fmt: skip
# Dates of birth as text: ISO first, then the other forms agencies' extracts use.
DATE_FORMATS = ("%Y%m%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
PERSON_COLUMNS = ("source_record_id", "source_person_id", "forename", "surname", "date_of_birth", "sex")
ADDRESS_COLUMNS = ("address", "postcode", "uprn")
# The first of these a kind carries dates its records (school attendance: the term's start).
EVENT_DATE_COLUMNS = (
    "start_on", "incident_on", "offence_on", "intervention_on", "recorded_on", "event_on", "attachment_on",
)  # fmt: skip
OPEN_SPAN = "DATE '9999-12-31'"
DEFAULT_MEMORY_LIMIT = os.environ.get("WHOLEFAMILY_LINKAGE_MEMORY", "2GB")


@dataclass(frozen=True)
class InputDataset:
    """One dataset version's Parquet (or a CSV in the persons layout) to link."""

    dataset_version_id: str
    kind: str
    path: Path
    # (layout column, the file's column) for files whose columns have other names (`--column surname=family_name`)
    column_map: tuple[tuple[str, str], ...] = ()

    def source_column(self, column: str) -> str:
        return dict(self.column_map).get(column, column)


def connect(*, memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a memory limit (DuckDB would otherwise take 80% of RAM)."""
    connection = duckdb.connect(":memory:", config=duckdb_config())
    connection.execute(f"SET memory_limit = '{memory_limit}'")
    connection.execute("SET preserve_insertion_order = false")
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    return connection


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader(path: Path) -> str:
    if path.suffix.lower() == ".csv":
        return f"read_csv({_quote(str(path))}, header = true, all_varchar = true)"
    return f"read_parquet({_quote(str(path))})"


# A termly school record gives the pupil's address as at the term's school census day (DfE, "School census
# 2017 to 2018: guide"): the first Thursday of October (autumn), the third Thursday of January (spring) and the third
# Thursday of May (summer). Dating it at the term's start would date a move up to two months early.
_CENSUS_MONTH_WEEK = "CASE term WHEN 'autumn' THEN 10 WHEN 'spring' THEN 1 ELSE 5 END"


def _record_on_sql(columns: set[str]) -> str:
    if {"academic_year", "term"} <= columns:
        first = (
            f"make_date(CAST(academic_year AS INTEGER) + CASE WHEN term = 'autumn' THEN 0 ELSE 1 END, "
            f"{_CENSUS_MONTH_WEEK}, 1)"
        )
        # the month's first Thursday (dayofweek: Sunday 0 .. Saturday 6), then two weeks on for spring and summer
        return (
            f"CAST({first} + INTERVAL (((4 - dayofweek({first})) + 7) % 7) DAY "
            f"+ INTERVAL (CASE WHEN term = 'autumn' THEN 0 ELSE 14 END) DAY AS DATE)"
        )
    for column in EVENT_DATE_COLUMNS:
        if column in columns:
            return f"TRY_CAST({column} AS DATE)"
    return "CAST(NULL AS DATE)"


def _select_sql(
    connection: duckdb.DuckDBPyConnection,
    dataset: InputDataset,
    *,
    span: tuple[str, str] | None = None,
    household_ref: str | None = None,
) -> str:
    reader = _reader(dataset.path)
    found = {row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
    for layout_column, file_column in dataset.column_map:
        if file_column not in found:
            raise ValueError(
                f"{dataset.path.name}: there is no column {file_column!r} to read as {layout_column} "
                f"(its columns are {', '.join(sorted(found))})"
            )
    # layout column -> the file's column, quoted (a mapped column may have any name)
    source = {column: _identifier(dataset.source_column(column)) for column in LAYOUT_COLUMNS}
    columns = {column for column in LAYOUT_COLUMNS if dataset.source_column(column) in found} | (
        found - set(LAYOUT_COLUMNS)
    )
    if "source_record_id" not in columns:
        raise ValueError(f"{dataset.path.name}: no source_record_id column")

    def text(column: str) -> str:
        if column not in columns:
            return "CAST(NULL AS VARCHAR)"
        return f"NULLIF(TRIM(CAST({source.get(column, column)} AS VARCHAR)), '')"

    line = "CAST(source_line AS BIGINT)" if "source_line" in columns else "CAST(row_number() OVER () + 1 AS BIGINT)"
    formats = "[" + ", ".join(_quote(f) for f in DATE_FORMATS) + "]"
    dob = (
        f"COALESCE(TRY_CAST({text('date_of_birth')} AS DATE), "
        f"CAST(TRY_STRPTIME({text('date_of_birth')}, {formats}) AS DATE))"
        if "date_of_birth" in columns
        else "CAST(NULL AS DATE)"
    )
    parts = [
        f"{_quote(dataset.dataset_version_id)} AS dataset_version_id",
        f"{_quote(dataset.kind)} AS kind",
        f"{text('source_record_id')} AS source_record_id",
        f"{line} AS line_number",
        f"{text('source_person_id')} AS source_person_id",
        f"{text('forename')} AS raw_forename",
        f"{text('surname')} AS raw_surname",
        f"{dob} AS dob",
        f"LOWER({text('sex')}) AS sex",
        f"{text('address')} AS raw_address",
        f"{text('postcode')} AS raw_postcode",
        f"{text('uprn')} AS raw_uprn",
        *(f"UPPER(REPLACE({text(column)}, ' ', '')) AS {column}" for column in IDENTIFIER_COLUMNS),
        f"NULLIF(LOWER({text('email')}), '') AS email",
        # a telephone number as digits, +44 or 0044 written as the leading 0
        f"NULLIF(regexp_replace(regexp_replace({text('phone')}, '[^0-9]', '', 'g'), '^(00)?44', '0'), '') AS phone",
        f"TRY_CAST({span[0]} AS DATE) AS record_on" if span else f"{_record_on_sql(columns)} AS record_on",
        # the last day the address holds (an open span: 9999-12-31, read as the latest date in the data)
        f"COALESCE(TRY_CAST({span[1]} AS DATE), {OPEN_SPAN}) AS record_until"
        if span and span[1] in columns
        else "CAST(NULL AS DATE) AS record_until",
        f"{text(household_ref)} AS household_ref" if household_ref else "CAST(NULL AS VARCHAR) AS household_ref",
    ]
    return f"SELECT {', '.join(parts)} FROM {reader}"


def load_records(
    connection: duckdb.DuckDBPyConnection,
    datasets: Sequence[InputDataset],
    *,
    address_spans: Mapping[str, tuple[str, str]] | None = None,
    household_refs: Mapping[str, str] | None = None,
) -> int:
    """Create table `records` (one row per source record of every dataset); returns its row count.

    `address_spans`: kind -> (from, to) columns over which a record's address holds; `household_refs`: kind -> the
    column of the agency's own household reference."""
    if not datasets:
        raise ValueError("nothing to link: no datasets given")
    spans, refs = address_spans or {}, household_refs or {}
    union = " UNION ALL ".join(
        _select_sql(connection, dataset, span=spans.get(dataset.kind), household_ref=refs.get(dataset.kind))
        for dataset in datasets
    )
    connection.execute(f"CREATE OR REPLACE TABLE records AS {union}")
    return int(connection.execute("SELECT count(*) FROM records").fetchall()[0][0])


def _distinct(connection: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    rows = connection.execute(f"SELECT DISTINCT {column} FROM records WHERE {column} IS NOT NULL").fetchall()
    return [row[0] for row in rows]


def _register(connection: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    connection.register(f"{name}_arrow", table)
    connection.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
    connection.unregister(f"{name}_arrow")


def _plain_postcode(value: str) -> str | None:
    """A postcode that does not parse as a UK one, in upper case with single spaces (None when empty)."""
    return " ".join(str(value).upper().split()) or None


def _clean_lookups(connection: duckdb.DuckDBPyConnection, nicknames: NicknameTable) -> None:
    """Clean each distinct raw value once in Python (a few thousand names, not a million rows)."""
    forenames = _distinct(connection, "raw_forename")
    _register(
        connection,
        "clean_forenames",
        pa.table(
            {
                "raw_forename": forenames,
                "forename": [clean_forename(value) for value in forenames],
                "forename_keys": [nicknames.keys(value) or None for value in forenames],
            }
        ),
    )
    surnames = _distinct(connection, "raw_surname")
    _register(
        connection,
        "clean_surnames",
        pa.table(
            {
                "raw_surname": surnames,
                "surname": [clean_surname(value) for value in surnames],
                "surname_parts": [surname_parts(value) or None for value in surnames],
            }
        ),
    )
    postcodes = _distinct(connection, "raw_postcode")
    parsed = [parse_postcode(value) for value in postcodes]
    _register(
        connection,
        "clean_postcodes",
        pa.table(
            {
                "raw_postcode": postcodes,
                # a value that is not a UK postcode (a foreign one, a typo) is kept as text and compared as such
                "postcode": [p.unit if p else _plain_postcode(raw) for p, raw in zip(parsed, postcodes, strict=True)],
                "postcode_sector": [p.sector if p else None for p in parsed],
                "postcode_district": [p.district if p else None for p in parsed],
            }
        ),
    )
    addresses = _distinct(connection, "raw_address")
    _register(
        connection,
        "clean_addresses",
        pa.table(
            {
                "raw_address": addresses,
                "address": [clean_address(value) for value in addresses],
                "house_number": [house_number(value) for value in addresses],
            }
        ),
    )
    uprns = _distinct(connection, "raw_uprn")
    _register(connection, "clean_uprns", pa.table({"raw_uprn": uprns, "uprn": [clean_uprn(value) for value in uprns]}))


_PROFILE_FIELDS = (
    "forename", "forename_keys", "surname", "surname_parts", "dob", "sex", "address", "house_number", "postcode",
    "postcode_sector", "postcode_district", "uprn", *IDENTIFIER_COLUMNS, *CONTACT_COLUMNS,
)  # fmt: skip


def build_profiles(connection: duckdb.DuckDBPyConnection, nicknames: NicknameTable) -> int:
    """Create `record_profile` (record -> profile_id) and `profiles` (Splink's input); returns the profile count."""
    _clean_lookups(connection, nicknames)
    key_fields = ", ".join(
        f"COALESCE(CAST({field} AS VARCHAR), '')"
        for field in ("forename", "surname", "dob", "sex", "address", "postcode", "uprn", *IDENTIFIER_COLUMNS)
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE record_profile AS
        WITH cleaned AS (
            SELECT r.dataset_version_id, r.kind, r.source_record_id, r.line_number, r.source_person_id, r.record_on,
                   r.record_until, r.household_ref,
                   f.forename, f.forename_keys, s.surname, s.surname_parts, r.dob, r.sex,
                   a.address, a.house_number, p.postcode, p.postcode_sector, p.postcode_district, u.uprn,
                   {", ".join(f"r.{column}" for column in (*IDENTIFIER_COLUMNS, *CONTACT_COLUMNS))}
            FROM records r
            LEFT JOIN clean_forenames f USING (raw_forename)
            LEFT JOIN clean_surnames s USING (raw_surname)
            LEFT JOIN clean_addresses a USING (raw_address)
            LEFT JOIN clean_postcodes p USING (raw_postcode)
            LEFT JOIN clean_uprns u USING (raw_uprn)
        )
        -- the key holds no file name or position: the same records give the same profiles however delivered
        -- (contact details join the key only when present, so profiles without them keep their earlier ids)
        SELECT *, substr(md5(concat_ws('|', kind,
                   COALESCE(source_person_id, 'record:' || source_record_id),
                   {key_fields}, 'e:' || email, 't:' || phone)), 1, 20) AS profile_id
        FROM cleaned;
        DROP TABLE records;
        """
    )
    # every record of a profile has the same identifying values (they make its key), so any one stands for all
    fields = ", ".join(f"any_value({field}) AS {field}" for field in _PROFILE_FIELDS if field != "dob")
    connection.execute(
        f"""
        -- stored in id order: Splink's seeded sampling reads the table in storage order
        SET preserve_insertion_order = true;
        CREATE OR REPLACE TABLE profiles AS
        SELECT *, CAST(dob_date AS VARCHAR) AS dob, year(dob_date) AS dob_year, month(dob_date) AS dob_month,
               day(dob_date) AS dob_day
        FROM (SELECT profile_id AS unique_id, any_value(kind) AS kind, any_value(source_person_id) AS source_person_id,
                     {fields}, any_value(dob) AS dob_date, count(*) AS record_count
              FROM record_profile GROUP BY profile_id)
        ORDER BY unique_id;
        SET preserve_insertion_order = false;
        ALTER TABLE profiles DROP COLUMN dob_date;
        """
    )
    return int(connection.execute("SELECT count(*) FROM profiles").fetchall()[0][0])


def deterministic_pairs(connection: duckdb.DuckDBPyConnection) -> pa.Table:
    """Profiles of one kind with one source_person_id: the agency says they are one person (a chain per person).
    Columns `left` and `right`, in a fixed order."""
    return connection.sql(
        """
        SELECT * FROM (
            SELECT unique_id AS "left",
                   lead(unique_id) OVER (PARTITION BY kind, source_person_id ORDER BY unique_id) AS "right"
            FROM profiles WHERE source_person_id IS NOT NULL)
        WHERE "right" IS NOT NULL ORDER BY "left"
        """
    ).to_arrow_table()


def iter_chunks(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
