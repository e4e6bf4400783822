from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wholefamily.domain.contract import ContractSet
from wholefamily.ingest.services import contracts


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """An empty data store for the test."""
    settings.DATA_DIR = tmp_path / "data"
    return Path(settings.DATA_DIR)


@pytest.fixture
def contract_set() -> ContractSet:
    return contracts()


def version_dirs(data_dir: Path, kind: str) -> list[str]:
    """Dataset version folders of a kind (temporary and lock entries excluded)."""
    root = data_dir / "datasets" / kind
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) if root.exists() else []
