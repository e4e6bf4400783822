"""The `wholefamily` command from a clone anywhere: it writes only under WHOLEFAMILY_VAR_DIR / WHOLEFAMILY_DATA_DIR,
never into the working tree, and its help leads with the service's commands grouped by the cycle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.cli import CYCLE, service_help

REPOSITORY = Path(settings.BASE_DIR)
COMMAND = Path(sys.executable).with_name("wholefamily")
# Folders other processes (this test run, editors, other tests) write to; the command's own writes are the rest.
NOT_THE_COMMANDS = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                    ".hypothesis", ".import_linter_cache", "test-results"}  # fmt: skip


def tree() -> dict[str, tuple[int, int]]:
    """Every file of the working tree with its size and modification time (the folders above left out)."""
    found: dict[str, tuple[int, int]] = {}
    for folder, subfolders, files in os.walk(REPOSITORY):
        subfolders[:] = [name for name in subfolders if name not in NOT_THE_COMMANDS]
        for name in files:
            stat = (Path(folder) / name).stat()
            found[str(Path(folder, name).relative_to(REPOSITORY))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.mark.slow
def test_the_command_writes_nothing_into_the_working_tree(tmp_path: Path) -> None:
    var_dir, data_dir, elsewhere = tmp_path / "var", tmp_path / "data", tmp_path / "cwd"
    elsewhere.mkdir()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE"}
    }
    environment |= {"WHOLEFAMILY_VAR_DIR": str(var_dir), "WHOLEFAMILY_DATA_DIR": str(data_dir),
                    "WHOLEFAMILY_ENV": "development", "DJANGO_SETTINGS_MODULE": "config.settings"}  # fmt: skip
    before = tree()
    for arguments in (["--help"], ["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
        done = subprocess.run(
            [str(COMMAND), *arguments], cwd=elsewhere, env=environment, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    after = tree()
    assert {path for path in after if before.get(path) != after[path]} == set()
    assert set(before) == set(after)
    assert (var_dir / "wholefamily.sqlite3").exists()  # the database, static files and bytecode went under var
    assert (var_dir / "static").is_dir() and (var_dir / "pycache").is_dir()
    assert list(elsewhere.iterdir()) == []  # nor into the folder it was run from


def test_every_python_of_the_environment_keeps_bytecode_under_var(tmp_path: Path) -> None:
    """`make install` writes a .pth so that even the command's first import of the package (before it can redirect
    bytecode itself) writes no __pycache__ beside the sources; a PYTHONPYCACHEPREFIX the user set wins."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPYCACHEPREFIX"}
    ask = [sys.executable, "-c", "import sys; print(sys.pycache_prefix)"]
    done = subprocess.run(ask, env=environment | {"WHOLEFAMILY_VAR_DIR": str(tmp_path)}, capture_output=True, text=True)
    assert done.stdout.strip() == str(tmp_path / "pycache")
    done = subprocess.run(ask, env=environment | {"PYTHONPYCACHEPREFIX": str(tmp_path / "mine")}, capture_output=True,
                          text=True)  # fmt: skip
    assert done.stdout.strip() == str(tmp_path / "mine")


def test_help_leads_with_the_services_commands_by_the_cycle() -> None:
    text = service_help()
    headings = [line for line in text.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert [heading.split(":")[0] for heading in headings] == [
        "Understand",
        "Plan",
        "Do",
        "Review",
        "Running the service",
        "Django's own commands (database, users, static files)",
    ]
    assert text.index("  identify ") < text.index("  funding ") < text.index("  outcomes ") < text.index("migrate")
    for line in text.splitlines():
        if line.startswith("  import "):
            assert "Import delivered files" in line  # each command with what it does


def test_every_command_of_ours_is_in_a_group() -> None:
    from django.core.management import get_commands

    ours = {name for name, app in get_commands().items() if app.startswith("wholefamily")}
    grouped = {name for names in CYCLE.values() for name in names}
    assert ours - grouped == set(), "add the command to wholefamily/cli.py CYCLE"
