"""The same linkage on Splink's Spark backend (local mode) gives the same clusters as on DuckDB.

Both engines train with the same settings and seed, then predict and cluster. Spark here takes a while to start
(JVM) and trains 5 to 10 times slower than DuckDB, so the county is tiny.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from wholefamily.linkage.engine.definition import DEFAULT_DEFINITIONS_DIR, load_definition
from wholefamily.linkage.engine.prepare import InputDataset
from wholefamily.linkage.engine.run import link_datasets
from wholefamily.synth.generator import Parameters, generate


def _partition(snapshot: Path) -> set[frozenset[str]]:
    table = pq.read_table(snapshot / "record_person.parquet", columns=["profile_id", "person_id"])
    clusters: dict[str, set[str]] = {}
    for profile_id, person_id in zip(
        table.column("profile_id").to_pylist(), table.column("person_id").to_pylist(), strict=True
    ):
        clusters.setdefault(person_id, set()).add(profile_id)
    return {frozenset(profiles) for profiles in clusters.values()}


@pytest.mark.spark
@pytest.mark.slow
def test_spark_gives_the_same_clusters_as_duckdb(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    generate(
        Parameters(population=250, seed=5, start="2013-09-01", years=3), tmp_path / "county",
        definitions_dir=DEFAULT_DEFINITIONS_DIR,
    )  # fmt: skip
    datasets = [
        InputDataset(dataset_version_id=f"{path.stem}-v1", kind=path.stem, path=path)
        for path in sorted((tmp_path / "county" / "agency").glob("*.csv"))
    ]
    shipped = load_definition()
    # lighter training for both engines alike (Spark runs one job per EM iteration): still one settings object
    definition = replace(shipped, training=replace(shipped.training, u_max_pairs=2e5, em_max_iterations=8))
    duckdb_run = link_datasets(datasets, definition=definition, out_dir=tmp_path / "duckdb", run_id="duckdb")
    spark_run = link_datasets(
        datasets, definition=definition, out_dir=tmp_path / "spark", run_id="spark", engine="spark"
    )
    assert spark_run.figures["records"] == duckdb_run.figures["records"] > 0
    assert _partition(spark_run.out_dir) == _partition(duckdb_run.out_dir)
