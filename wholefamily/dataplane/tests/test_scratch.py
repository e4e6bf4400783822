"""DuckDB spills under the service's var folder, even on a fresh clone where that folder does not exist yet."""

from __future__ import annotations

import duckdb

from wholefamily.dataplane.scratch import duckdb_config, duckdb_temp_directory


def test_a_query_larger_than_memory_spills_into_a_var_folder_that_did_not_exist(tmp_path, monkeypatch):
    monkeypatch.setenv("WHOLEFAMILY_VAR_DIR", str(tmp_path / "fresh-var"))
    assert not (tmp_path / "fresh-var").exists()

    connection = duckdb.connect(config=duckdb_config())
    connection.execute("SET memory_limit = '64MB'; SET threads = 1; SET preserve_insertion_order = false")
    rows = connection.execute(
        "SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS digest FROM range(3000000) t(i) ORDER BY digest)"
    ).fetchone()
    spilled = duckdb_temp_directory().is_dir()
    connection.close()

    assert rows == (3_000_000,)
    assert duckdb_temp_directory() == tmp_path / "fresh-var" / "tmp" / "duckdb"
    assert spilled
