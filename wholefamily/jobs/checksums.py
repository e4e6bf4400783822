"""SHA-256 checksums of every file in the data store: detects files changed or lost behind our back.

The data store's dataset versions are meant to be immutable; this walk proves it. It writes a manifest
in `sha256sum` format (so `sha256sum -c MANIFEST` checks the store by hand) and returns a small summary
with a fingerprint of the whole store: equal fingerprints mean identical stores.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from wholefamily.domain.progress import ProgressReporter

CHUNK_BYTES = 1024 * 1024
UNREADABLE_EXAMPLES = 5


def iter_files(root: Path) -> Iterator[Path]:
    """Regular files under `root`, in a stable order, not following symbolic links."""
    for directory, subdirectories, filenames in os.walk(root, followlinks=False):
        subdirectories.sort()
        for name in sorted(filenames):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                yield path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_tree(root: Path, *, progress: ProgressReporter, manifest_path: Path | None = None) -> dict[str, Any]:
    """Checksum every file under `root`, one progress step per file; optionally write a manifest."""
    progress.start(None, "Listing the files in the data store")
    files = list(iter_files(root))
    progress.start(len(files), f"Checking {len(files):,} files")
    fingerprint = hashlib.sha256()
    total_bytes = 0
    unreadable: list[str] = []
    with _manifest_writer(manifest_path) as manifest:
        for path in files:
            relative = path.relative_to(root).as_posix()
            try:
                size = path.stat().st_size
                checksum = sha256_of(path)
            except OSError:
                unreadable.append(relative)
            else:
                total_bytes += size
                fingerprint.update(f"{relative}\0{size}\0{checksum}\n".encode())
                manifest.write(f"{checksum}  {relative}\n")
            progress.advance()
    return {
        "root": str(root),
        "files": len(files) - len(unreadable),
        "bytes": total_bytes,
        "fingerprint": fingerprint.hexdigest(),
        "unreadable": len(unreadable),
        "unreadable_examples": unreadable[:UNREADABLE_EXAMPLES],
        "manifest": str(manifest_path) if manifest_path is not None else "",
    }


@contextlib.contextmanager
def _manifest_writer(manifest_path: Path | None) -> Iterator[IO[str]]:
    """A text stream for the manifest, moved into place only when complete (or a sink for None)."""
    if manifest_path is None:
        with open(os.devnull, "w", encoding="utf-8") as sink:
            yield sink
        return
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    partial = manifest_path.with_name(manifest_path.name + ".partial")
    with partial.open("w", encoding="utf-8") as stream:
        yield stream
    partial.replace(manifest_path)
