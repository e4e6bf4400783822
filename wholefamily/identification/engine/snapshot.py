"""A linked snapshot as identification reads it: linkage's Parquet files plus the dataset versions they point at.

Layout (ADR 0004): `<dir>/record_person.parquet`, `persons.parquet`, `households.parquet`, `memberships.parquet`;
the agency records are the ingest store's `<datasets_root>/<kind>/<dataset_version_id>/data.parquet`. A snapshot
made from the synthetic county's truth (perfect.py) carries its own `<dir>/datasets/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

SNAPSHOT_FILES = ("record_person", "persons", "households", "memberships")
DATA_FILE = "data.parquet"


class SnapshotError(ValueError):
    """The snapshot directory is incomplete or points at dataset versions that are not in the store."""


@dataclass(frozen=True)
class Snapshot:
    directory: Path
    datasets_root: Path
    judgements: Path | None = None
    geography: Path | None = None  # postcode -> district, ward (Parquet) for households that carry no area

    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        datasets_root: Path | None = None,
        judgements: Path | None = None,
        geography: Path | None = None,
    ) -> Snapshot:
        """The snapshot in `directory`; its own `datasets/` when it has one, else `datasets_root`; its own
        `geography.parquet` when it has one, else `geography`."""
        missing = [name for name in SNAPSHOT_FILES if not (directory / f"{name}.parquet").exists()]
        if missing:
            raise SnapshotError(f"{directory}: not a linked snapshot (missing {', '.join(missing)})")
        own = directory / "datasets"
        root = own if own.is_dir() else datasets_root
        if root is None:
            raise SnapshotError(f"{directory}: no datasets directory given for the agency records")
        own_geography = directory / "geography.parquet"
        lookup = own_geography if own_geography.exists() else geography
        return cls(directory=directory, datasets_root=root, judgements=judgements, geography=lookup)

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.parquet"

    def dataset_versions(self) -> dict[str, tuple[str, ...]]:
        """The dataset versions behind the snapshot, by kind (from record_person)."""
        table = pq.read_table(self.path("record_person"), columns=["kind", "dataset_version_id"])
        pairs = table.group_by(["kind", "dataset_version_id"]).aggregate([])
        out: dict[str, list[str]] = {}
        for kind, version in zip(
            pairs.column("kind").to_pylist(), pairs.column("dataset_version_id").to_pylist(), strict=True
        ):
            out.setdefault(kind, []).append(version)
        return {kind: tuple(sorted(versions)) for kind, versions in sorted(out.items())}

    def data_files(self, kind: str) -> list[tuple[str, Path]]:
        """(dataset version id, data file) of every version of `kind` the snapshot links."""
        files = []
        for version in self.dataset_versions().get(kind, ()):
            path = self.datasets_root / kind / version / DATA_FILE
            if not path.exists():
                raise SnapshotError(f"dataset version {version} of {kind} is not in {self.datasets_root}")
            files.append((version, path))
        return files

    def resident_count(self) -> int:
        table = pq.read_table(self.path("persons"), columns=["person_id"])
        return int(pc.count_distinct(table.column("person_id")).as_py())
