"""The audit log's hash chain, as pure functions: a row's hash covers its content and the previous row's hash.

ADR 0015. A row whose content, place or predecessor was changed no longer matches its hash, and every row after
a deleted one names a predecessor that is not there, so `first_break` finds the first row that was tampered with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
"""The `previous_hash` of the first row."""

CHAINED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "request_id",
    "ip_address",
    "detail",
)


def row_hash(*, content: Mapping[str, Any], previous_hash: str) -> str:
    """SHA-256 over the previous row's hash and this row's content as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(
        {"previous_hash": previous_hash, **{name: content[name] for name in CHAINED_FIELDS}},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ChainedRow:
    """A stored row as the verifier reads it: its id, its content, and the two hashes it carries."""

    row_id: int
    content: Mapping[str, Any]
    previous_hash: str
    row_hash: str


@dataclass(frozen=True)
class Break:
    row_id: int
    sequence: int | None
    reason: str


def first_break(rows: Iterable[ChainedRow]) -> Break | None:
    """The first row (in chain order) that does not follow from the one before it, or None if the chain holds."""
    expected_previous = GENESIS
    expected_sequence = 1
    for row in rows:
        sequence = row.content.get("sequence")
        if sequence != expected_sequence:
            return Break(row.row_id, sequence, f"expected place {expected_sequence} in the chain, found {sequence}")
        if row.previous_hash != expected_previous:
            return Break(row.row_id, sequence, "its previous hash is not the hash of the row before it")
        if row_hash(content=row.content, previous_hash=row.previous_hash) != row.row_hash:
            return Break(row.row_id, sequence, "its content does not match its hash")
        expected_previous = row.row_hash
        expected_sequence += 1
    return None
