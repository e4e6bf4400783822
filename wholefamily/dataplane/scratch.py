"""Where the data plane's engines spill to disk: DuckDB's temp folder under the service's var folder.

DuckDB's own default is `.tmp` in the current folder, so a command run from a clone would write into the working
tree. The folder follows WHOLEFAMILY_VAR_DIR as the settings do (default: var/ in the clone); no Django here.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_VAR_DIR = Path(__file__).resolve().parents[2] / "var"  # as config/settings.py's default


def duckdb_temp_directory() -> Path:
    """<WHOLEFAMILY_VAR_DIR>/tmp/duckdb (made when DuckDB first spills)."""
    return Path(os.environ.get("WHOLEFAMILY_VAR_DIR") or DEFAULT_VAR_DIR) / "tmp" / "duckdb"


def duckdb_config() -> dict[str, str | bool | int | float | list[str]]:
    """Configuration for every `duckdb.connect` of the service.

    DuckDB makes only the last level of its temp folder when it first spills, so the levels above it are made here:
    on a fresh clone var/ does not exist, and a linkage run large enough to spill stopped with "Failed to create
    directory".
    """
    folder = duckdb_temp_directory()
    folder.parent.mkdir(parents=True, exist_ok=True)
    return {"temp_directory": str(folder)}
