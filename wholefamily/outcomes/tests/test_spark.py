"""The outcomes engine gives the same results on Spark as on DuckDB (the same generated SQL on both engines)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.outcomes.framework import load_framework
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.outcomes.engine import FamilyStart, as_table, measure_families
from wholefamily.synth.generator import Parameters, generate


@pytest.mark.spark
@pytest.mark.slow
def test_spark_gives_the_same_outcomes_as_duckdb(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    generate(
        Parameters(population=5_000, seed=2, start="2013-09-01", years=5),
        tmp_path,
        definitions_dir=Path(settings.DEFINITIONS_DIR),
    )
    build_perfect_snapshot(tmp_path, tmp_path / "snapshot", contracts=contracts, as_of=dt.date(2015, 8, 31))
    worked = pq.read_table(tmp_path / "truth" / "worked_with.parquet").to_pylist()
    families = [FamilyStart(f"H{r['household_id']}", f"H{r['household_id']}", r["start_on"]) for r in worked]
    framework = load_framework(Path(settings.PROGRAMMES_DIR) / "outcomes" / "supporting-families-2022.yaml")
    tables = [
        as_table(
            measure_families(
                framework,
                families=families,
                as_of=dt.date(2017, 8, 31),
                snapshot=Snapshot.open(tmp_path / "snapshot"),
                contracts=contracts,
                engine=engine,
            )
        ).to_pylist()
        for engine in ("duckdb", "spark")
    ]
    assert len(tables[0]) >= len(families) * len(framework.measures)
    assert tables[0] == tables[1]
