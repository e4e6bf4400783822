from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.management.commands.db_worker import Worker

from wholefamily.jobs.tests import tasks as test_tasks


@pytest.fixture
def data_store(settings: Any, tmp_path: Path) -> Path:
    """A small data store under a temporary var/ folder."""
    settings.VAR_DIR = tmp_path / "var"
    settings.DATA_DIR = tmp_path / "var" / "data"
    root = Path(settings.DATA_DIR)
    (root / "police" / "v1").mkdir(parents=True)
    (root / "police" / "v1" / "part-0.parquet").write_bytes(b"PAR1" + bytes(range(256)) * 40)
    (root / "schools.csv").write_text("upn,name\nA123,Test\n", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    return root


@pytest.fixture
def run_worker() -> Callable[[], int]:
    """Run django-tasks-db's real Worker in batch mode here: it processes every ready task, then returns."""

    def run() -> int:
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
        )
        worker.run()
        return worker._run_tasks

    return run


@pytest.fixture(autouse=True)
def _reset_test_tasks() -> None:
    test_tasks.OBSERVED_DONE.clear()
    test_tasks.GATE.clear()
    test_tasks.REACHED.clear()
