"""The data store's side of an import: Parquet written to a temporary folder, renamed into place at the end.

Layout under `settings.DATA_DIR/datasets/<kind>/`:
    <version_id>/data.parquet         accepted rows, canonical columns plus `source_line`
    <version_id>/quarantine.parquet   bad rows as delivered, with their line and reasons (quarantine policy)
    <version_id>/manifest.json        provenance, for readers of the store who do not use the database
    .tmp-<version_id>/                being written; renamed to <version_id>/ when the version is recorded
    .lock-<version_id>                held (flock) by the importing process while it runs

A process killed mid-way leaves a `.tmp-` folder and an unlocked `.lock-` file; `clean_abandoned` removes them
(and a renamed folder whose database row never committed) before the next import of the kind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from wholefamily.domain.contract import ColumnType, Contract
from wholefamily.domain.validation import Cell, RowResult, Severity, cell_text

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.STRING: pa.string(),
    ColumnType.CODE: pa.string(),
    ColumnType.DATE: pa.date32(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.DECIMAL: pa.decimal128(18, 4),
    ColumnType.BOOLEAN: pa.bool_(),
}
DATA_FILE = "data.parquet"
QUARANTINE_FILE = "quarantine.parquet"
MANIFEST_FILE = "manifest.json"
TMP_PREFIX = ".tmp-"
LOCK_PREFIX = ".lock-"
RUN_LOCK_PREFIX = ".import-"  # held by the process running an import, from its first step (the checksum) to its end


def datasets_root() -> Path:
    return Path(settings.DATA_DIR) / "datasets"


def kind_dir(kind: str) -> Path:
    return datasets_root() / kind


def version_dir(kind: str, version_id: str) -> Path:
    return kind_dir(kind) / version_id


def arrow_schema(contract: Contract) -> pa.Schema:
    fields = [pa.field(column.name, ARROW_TYPES[column.type]) for column in contract.columns]
    return pa.schema([*fields, pa.field("source_line", pa.int64())])


def _try_lock(handle: IO[bytes]) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def clean_abandoned(kind: str, *, is_recorded: Callable[[str], bool]) -> list[str]:
    """Remove what killed imports of `kind` left behind; returns the version ids cleaned."""
    root = kind_dir(kind)
    if not root.is_dir():
        return []
    cleaned: list[str] = []
    for lock_path in sorted(root.glob(f"{LOCK_PREFIX}*")):
        version_id = lock_path.name.removeprefix(LOCK_PREFIX)
        with lock_path.open("rb") as handle:
            if not _try_lock(handle):
                continue  # a running import holds it
            shutil.rmtree(root / f"{TMP_PREFIX}{version_id}", ignore_errors=True)
            if (root / version_id).exists() and not is_recorded(version_id):
                shutil.rmtree(root / version_id, ignore_errors=True)
            lock_path.unlink(missing_ok=True)
            cleaned.append(version_id)
    for tmp in root.glob(f"{TMP_PREFIX}*"):
        version_id = tmp.name.removeprefix(TMP_PREFIX)
        if not (root / f"{LOCK_PREFIX}{version_id}").exists():
            shutil.rmtree(tmp, ignore_errors=True)
            cleaned.append(version_id)
    return cleaned


@contextlib.contextmanager
def holding_run(kind: str, run_id: str) -> Iterator[None]:
    """Hold a lock naming import run `run_id` while it runs, so that a later import can tell it died (ADR 0014).

    Unlike the version lock, it is taken before anything else: a run killed while computing its checksum,
    before it has a version, is found by `abandoned_runs` and recovered like the others.
    """
    root = kind_dir(kind)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{RUN_LOCK_PREFIX}{run_id}"
    with path.open("wb") as handle:
        if not _try_lock(handle):
            raise RuntimeError(f"import run {run_id} is running in another process")
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def abandoned_runs(kind: str) -> list[str]:
    """The ids of import runs of `kind` whose process died (their run lock is left, held by nobody); cleaned."""
    root = kind_dir(kind)
    if not root.is_dir():
        return []
    run_ids: list[str] = []
    for lock_path in sorted(root.glob(f"{RUN_LOCK_PREFIX}*")):
        with lock_path.open("rb") as handle:
            if not _try_lock(handle):
                continue  # its import is running
            lock_path.unlink(missing_ok=True)
            run_ids.append(lock_path.name.removeprefix(RUN_LOCK_PREFIX))
    return run_ids


class VersionWriter:
    """Writes one delivery's Parquet files into a locked temporary folder; `commit_files` renames it into place."""

    BATCH_ROWS = 10_000

    def __init__(self, *, contract: Contract, kind: str, version_id: str, header: Sequence[Cell]) -> None:
        self.contract = contract
        self.kind = kind
        self.version_id = version_id
        root = kind_dir(kind)
        root.mkdir(parents=True, exist_ok=True)
        self.lock_path = root / f"{LOCK_PREFIX}{version_id}"
        self.lock = self.lock_path.open("wb")
        if not _try_lock(self.lock):
            raise RuntimeError(f"version {version_id} is locked by another process")
        self.tmp = root / f"{TMP_PREFIX}{version_id}"
        self.tmp.mkdir()
        self.final = root / version_id
        self.schema = arrow_schema(contract)
        self.good_rows: list[list[Any]] = []
        self.data_writer: pq.ParquetWriter | None = None
        self.quarantine_names = [*(_unique_names(header)), "_source_line", "_problems"]
        self.quarantine_schema = pa.schema(
            [pa.field(name, pa.string()) for name in self.quarantine_names[:-2]]
            + [pa.field("_source_line", pa.int64()), pa.field("_problems", pa.string())]
        )
        self.bad_rows: list[list[Any]] = []
        self.quarantine_writer: pq.ParquetWriter | None = None
        self.rows_written = 0
        self.rows_quarantined = 0
        self.is_engine_written = False

    # -- rows
    def add_good(self, result: RowResult) -> None:
        values = result.values
        values.append(result.line)
        self.good_rows.append(values)
        if len(self.good_rows) >= self.BATCH_ROWS:
            self._flush_good()

    def add_bad(self, result: RowResult, cells: Sequence[Cell]) -> None:
        width = len(self.quarantine_names) - 2
        texts: list[Any] = [cell_text(cell) if cell is not None else None for cell in cells[:width]]
        texts += [None] * (width - len(texts))
        reasons = "; ".join(
            f"{problem.column + ': ' if problem.column else ''}{problem.reason}"
            for problem in result.problems
            if problem.severity is Severity.ERROR
        )
        self.bad_rows.append([*texts, result.line, reasons])
        if len(self.bad_rows) >= self.BATCH_ROWS:
            self._flush_bad()

    def _flush_good(self) -> None:
        if not self.good_rows:
            return
        columns = zip(*self.good_rows, strict=True)
        arrays = [pa.array(values, type=field.type) for values, field in zip(columns, self.schema, strict=True)]
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        if self.data_writer is None:
            self.data_writer = pq.ParquetWriter(self.tmp / DATA_FILE, self.schema, compression="zstd")
        self.data_writer.write_table(table)
        self.rows_written += table.num_rows
        self.good_rows = []

    def _flush_bad(self) -> None:
        if not self.bad_rows:
            return
        columns = list(zip(*self.bad_rows, strict=True))
        arrays = [
            pa.array(values, type=field.type) for values, field in zip(columns, self.quarantine_schema, strict=True)
        ]
        table = pa.Table.from_arrays(arrays, schema=self.quarantine_schema)
        if self.quarantine_writer is None:
            self.quarantine_writer = pq.ParquetWriter(
                self.tmp / QUARANTINE_FILE, self.quarantine_schema, compression="zstd"
            )
        self.quarantine_writer.write_table(table)
        self.rows_quarantined += table.num_rows
        self.bad_rows = []

    def files_written_by_engine(self) -> None:
        """The data (and quarantine) files were written into the temporary folder by the columnar path."""
        self.is_engine_written = True

    # -- end
    def finish_files(self, manifest: dict[str, Any]) -> None:
        """Flush and close the Parquet files and write the manifest (still in the temporary folder)."""
        self._flush_good()
        self._flush_bad()
        if self.data_writer is None and not self.is_engine_written:
            self.data_writer = pq.ParquetWriter(self.tmp / DATA_FILE, self.schema, compression="zstd")
        if self.data_writer is not None:
            self.data_writer.close()
        if self.quarantine_writer is not None:
            self.quarantine_writer.close()
        (self.tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
        for path in self.tmp.iterdir():
            _fsync(path)
        _fsync(self.tmp)

    def commit_files(self) -> Path:
        """Atomically rename the temporary folder into place (call inside the recording transaction)."""
        os.rename(self.tmp, self.final)
        _fsync(self.final.parent)
        return self.final

    def release(self) -> None:
        """Drop the lock (after the database commit, or after `discard`)."""
        with contextlib.suppress(OSError):
            self.lock_path.unlink(missing_ok=True)
        self.lock.close()

    def discard(self) -> None:
        """Remove everything written: the delivery was refused or recording it failed."""
        for writer in (self.data_writer, self.quarantine_writer):
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.final, ignore_errors=True)
        self.release()


def _unique_names(header: Sequence[Cell]) -> list[str]:
    names: list[str] = []
    for position, cell in enumerate(header):
        name = cell_text(cell).strip() or f"column_{position + 1}"
        while name in names:
            name = f"{name}_{position + 1}"
        names.append(name)
    return names


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_quarantine(kind: str, version_id: str) -> pa.Table | None:
    path = version_dir(kind, version_id) / QUARANTINE_FILE
    return pq.read_table(path) if path.exists() else None
