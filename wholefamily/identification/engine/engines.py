"""SQL engines for identification: DuckDB (default, embedded) and Spark (local or cluster), one interface.

Each registers Parquet files as views, creates the plan's views in order and fetches results as Arrow tables.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from wholefamily.dataplane.scratch import duckdb_config

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    name: str

    def register_parquet(self, name: str, paths: Sequence[Path]) -> list[str]: ...

    def create_view(self, name: str, sql: str, *, is_materialized: bool = False) -> None: ...

    def fetch(self, sql: str) -> pa.Table: ...

    def close(self) -> None: ...


class DuckDbEngine:
    name = "duckdb"

    def __init__(self, *, memory_limit: str | None = None, threads: int | None = None) -> None:
        import duckdb

        self.connection = duckdb.connect(":memory:", config=duckdb_config())
        limit = memory_limit or os.environ.get("WHOLEFAMILY_IDENTIFY_MEMORY", "2GB")
        self.connection.execute(f"SET memory_limit = '{limit}'")
        if threads:
            self.connection.execute(f"SET threads = {int(threads)}")

    def register_parquet(self, name: str, paths: Sequence[Path]) -> list[str]:
        quoted = ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths)
        self.connection.execute(
            f"CREATE OR REPLACE TEMPORARY VIEW {name} AS "  # noqa: S608 - our own view names and quoted paths
            f"SELECT * FROM read_parquet([{quoted}], union_by_name = true)"
        )
        return [row[0] for row in self.connection.execute(f"DESCRIBE {name}").fetchall()]

    def create_view(self, name: str, sql: str, *, is_materialized: bool = False) -> None:
        kind = "TABLE" if is_materialized else "VIEW"
        self.connection.execute(f"CREATE OR REPLACE TEMPORARY {kind} {name} AS {sql}")

    def fetch(self, sql: str) -> pa.Table:
        table: Any = self.connection.sql(sql).to_arrow_table()
        assert isinstance(table, pa.Table)
        return table

    def close(self) -> None:
        self.connection.close()


class SparkEngine:
    name = "spark"

    def __init__(self, *, master: str | None = None) -> None:
        from wholefamily.dataplane.spark import spark_session

        self.session = spark_session(
            app_name="wholefamily-identification",
            master=master,
            conf={
                "spark.sql.ansi.enabled": "true",
                # Broadcasting the small inputs of a deep plan of views ran the driver out of memory in local mode
                # (each view re-planned its inputs); materialised views keep plans short, so broadcast is back on.
                "spark.sql.autoBroadcastJoinThreshold": os.environ.get("WHOLEFAMILY_SPARK_BROADCAST", "10m"),
            },
        )

    def register_parquet(self, name: str, paths: Sequence[Path]) -> list[str]:
        frame = self.session.read.option("mergeSchema", "true").parquet(*[str(path) for path in paths])
        frame.createOrReplaceTempView(name)
        return list(frame.columns)

    def create_view(self, name: str, sql: str, *, is_materialized: bool = False) -> None:
        self.session.sql(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {sql}")
        if is_materialized:
            # Eager: later views and every output read the cached rows instead of re-running the plan.
            self.session.sql(f"CACHE TABLE {name}")

    def fetch(self, sql: str) -> pa.Table:
        return self.session.sql(sql).toArrow()

    def close(self) -> None:
        self.session.catalog.clearCache()
        for name in [table.name for table in self.session.catalog.listTables() if table.isTemporary]:
            self.session.catalog.dropTempView(name)


def make_engine(name: str) -> Engine:
    if name == "duckdb":
        return DuckDbEngine()
    if name == "spark":
        return SparkEngine()
    raise ValueError(f"unknown engine {name!r}; one of {', '.join(ENGINES)}")
