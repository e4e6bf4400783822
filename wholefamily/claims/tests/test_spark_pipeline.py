"""The county pipeline after linkage gives the same results on local Spark as on DuckDB, stage by stage, row for row.

A small generated county, its linked snapshot (perfect linkage: linkage on Spark has its own comparison test), then
identification (tf-2015), outcomes (the tf-2015 framework) for the families found, and the claims evaluation of a
claim window, each on both engines from the same generated SQL; every output is compared. One Spark context serves
all the stages (`wholefamily.dataplane.spark`), so the JVM starts once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from wholefamily.claims.engine import evaluate_families
from wholefamily.domain.claims.rules import load_results_rules
from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.criteria.schema import load_programme
from wholefamily.domain.outcomes.framework import load_framework
from wholefamily.identification.engine.evaluate import evaluate
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.outcomes.engine import FamilyStart, as_table, measure_families
from wholefamily.synth.generator import Parameters, generate

IDENTIFIED_ON = dt.date(2015, 4, 1)


def _pipeline(engine: str, *, snapshot: Snapshot, contracts: Any) -> dict[str, Any]:
    programmes = Path(settings.PROGRAMMES_DIR)
    identified = evaluate(
        load_programme(programmes / "tf-2015.yaml"),
        as_of=IDENTIFIED_ON,
        snapshot=snapshot,
        contracts=contracts,
        engine=engine,
    )
    cohort = identified.cohort.to_pylist()
    families = [FamilyStart(row["family_id"], row["household_id"], IDENTIFIED_ON) for row in cohort]
    problems = {row["family_id"]: frozenset(row["problems_met"].split(";")) for row in cohort}
    framework = load_framework(programmes / "outcomes" / "tf-2015.yaml")
    rules = load_results_rules(programmes / "results" / "tf-2015.yaml")
    window = rules.window("2016-07")
    outcomes = measure_families(
        framework, families=families, as_of=window.as_of, snapshot=snapshot, contracts=contracts, engine=engine
    )
    evaluated, _ = evaluate_families(
        rules,
        framework=framework,
        families=families,
        problems=problems,
        claimed={},
        as_of=window.as_of,
        snapshot=snapshot,
        contracts=contracts,
        engine=engine,
    )
    return {
        "cohort": cohort,
        "families": identified.families.to_pylist(),
        "evidence": identified.evidence.to_pylist(),
        "residents": identified.residents.to_pylist(),
        "outcomes": as_table(outcomes).to_pylist(),
        "claims": evaluated,
    }


@pytest.mark.spark
@pytest.mark.slow
def test_the_county_pipeline_gives_the_same_results_on_spark_as_on_duckdb(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    generate(
        Parameters(population=1_500, seed=4, start="2013-09-01", years=5),
        tmp_path,
        definitions_dir=Path(settings.DEFINITIONS_DIR),
    )
    build_perfect_snapshot(tmp_path, tmp_path / "snapshot", contracts=contracts, as_of=dt.date(2015, 8, 31))
    snapshot = Snapshot.open(tmp_path / "snapshot")
    duckdb = _pipeline("duckdb", snapshot=snapshot, contracts=contracts)
    spark = _pipeline("spark", snapshot=snapshot, contracts=contracts)
    assert len(duckdb["cohort"]) >= 3 and duckdb["outcomes"] and duckdb["claims"]
    for stage in ("cohort", "families", "evidence", "residents", "outcomes", "claims"):
        assert spark[stage] == duckdb[stage], stage
