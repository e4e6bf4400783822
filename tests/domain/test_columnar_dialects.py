"""The columnar compiler writes each engine's SQL from the same rules, each in its own dialect (ADR 0033)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.columnar import DUCKDB, SPARK, CompiledDelivery, Dialect, compile_delivery
from wholefamily.domain.contract import ContractSet, load_contract_set
from wholefamily.domain.validation import load_profile, plan_header

DUCKDB_ONLY = re.compile(r"regexp_full_match|TRY_CAST|TRY\(|HUGEINT|VARCHAR|strlen\(|\bord\(|trim\([^)]*, ")
SPARK_ONLY = re.compile(r"RLIKE|try_cast|DECIMAL\(38, 0\)|\bSTRING\b|octet_length|ascii\(|trim\(BOTH|last_day")
PROFILES = [("school_attendance", "synthetic-county"), ("benefits", "dwp-data-share"), ("health", "health-data-share")]


@functools.cache
def _contracts() -> ContractSet:
    return load_contract_set(Path(settings.DEFINITIONS_DIR))


@functools.cache
def _compiled(kind: str, profile_name: str, dialect: Dialect) -> CompiledDelivery:
    contracts = _contracts()
    contract = contracts.contract(kind)
    profile = load_profile(Path(settings.DEFINITIONS_DIR) / "profiles", name=profile_name, kind=kind)
    supplier_names = {canonical: supplier for supplier, canonical in profile.column_map.items()}
    header = [supplier_names.get(column.name, column.name) for column in contract.columns]
    plan = plan_header(header, contract, profile)
    return compile_delivery(
        contract=contract,
        codelists=contracts.codelists,
        profile=profile,
        plan=plan,
        received_on=dt.date(2015, 1, 1),
        header_width=len(header) + 1,  # a trailing delimiter: an extra field that must be empty
        dialect=dialect,
    )


def _all_sql(compiled: CompiledDelivery) -> str:
    parts = [compiled.blank_sql, compiled.clean_sql, compiled.select_list()]
    parts += [column.format_sql for column in compiled.columns if column.format_sql]
    return "\n".join(parts)


@pytest.mark.parametrize(("kind", "profile"), PROFILES)
def test_each_dialect_uses_only_its_own_constructs(kind: str, profile: str) -> None:
    duckdb, spark = (_all_sql(_compiled(kind, profile, dialect)) for dialect in (DUCKDB, SPARK))
    assert not DUCKDB_ONLY.findall(spark)
    assert not SPARK_ONLY.findall(duckdb)
    # The same rules in both: every code, marker and bound the DuckDB SQL names, Spark's names too.
    assert sorted(re.findall(r"DATE '[0-9-]+'", duckdb)) == sorted(re.findall(r"DATE '[0-9-]+'", spark))
    assert [column.name for column in _compiled(kind, profile, SPARK).columns] == [
        column.name for column in _compiled(kind, profile, DUCKDB).columns
    ]


@pytest.mark.parametrize(
    ("value", "duckdb", "spark"),
    [
        ("plain", "'plain'", "'plain'"),
        ("O'Sample", "'O''Sample'", "'O\\'Sample'"),
        ("a\\.b", "'a\\.b'", "'a\\\\.b'"),  # Spark reads a backslash as an escape: doubled
    ],
)
def test_string_literals_survive_each_engines_parser(value: str, duckdb: str, spark: str) -> None:
    assert DUCKDB.literal(value) == duckdb
    assert SPARK.literal(value) == spark


def test_spark_matches_the_whole_cell_not_up_to_a_final_line_break() -> None:
    assert SPARK.full_match("c0", "[0-9]{4}").endswith("'^(?:[0-9]{4})\\\\z')")
    assert DUCKDB.full_match("c0", "[0-9]{4}") == "regexp_full_match(c0, '[0-9]{4}')"
