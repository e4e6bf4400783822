"""DuckDB and Spark (local mode) give identical cohorts and evidence from the same generated SQL (ADR 0005)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.criteria.schema import load_programme
from wholefamily.identification.tests.golden_cases import evaluate_cases, load_cases

pytest.importorskip("pyspark")


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_give_identical_cohorts(tmp_path):
    # The tf-2012 golden county: every indicator, route and edge of the definition, one household per case.
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    programme = load_programme(Path(settings.PROGRAMMES_DIR) / "tf-2012.yaml")
    cases = load_cases("tf-2012")
    duckdb = evaluate_cases(programme, cases, tmp_path / "duckdb", contracts, engine="duckdb")
    spark = evaluate_cases(programme, cases, tmp_path / "spark", contracts, engine="spark")
    assert duckdb.cohort.num_rows >= 2
    for name in ("cohort", "families", "evidence", "residents"):
        assert getattr(spark, name).to_pylist() == getattr(duckdb, name).to_pylist(), name
