"""The audit chain's hashing and verification, without a database."""

from __future__ import annotations

import dataclasses

import pytest

from wholefamily.domain.audit_chain import GENESIS, ChainedRow, first_break, row_hash


def _content(sequence: int, action: str = "view") -> dict[str, object]:
    return {
        "sequence": sequence, "occurred_at": f"2026-12-07T09:00:0{sequence}+00:00", "actor_id": 3,
        "actor_label": "kim", "action": action, "object_type": "cases.case", "object_id": str(sequence),
        "outcome": "success", "request_id": "", "ip_address": None, "detail": {"b": 1, "a": [1, 2]},
    }  # fmt: skip


def _chain(length: int) -> list[ChainedRow]:
    rows, previous = [], GENESIS
    for sequence in range(1, length + 1):
        content = _content(sequence)
        digest = row_hash(content=content, previous_hash=previous)
        rows.append(ChainedRow(row_id=100 + sequence, content=content, previous_hash=previous, row_hash=digest))
        previous = digest
    return rows


def test_hash_is_stable_and_covers_content_and_predecessor():
    content = _content(1)
    assert row_hash(content=content, previous_hash=GENESIS) == row_hash(
        content=dict(reversed(list(content.items()))), previous_hash=GENESIS
    )
    assert row_hash(content=content, previous_hash=GENESIS) != row_hash(content=content, previous_hash="1" * 64)
    assert row_hash(content=content, previous_hash=GENESIS) != row_hash(
        content={**content, "action": "change"}, previous_hash=GENESIS
    )


def test_an_intact_chain_has_no_break():
    assert first_break(_chain(5)) is None
    assert first_break([]) is None


def _tampered(rows: list[ChainedRow], how: str) -> list[ChainedRow]:
    rows = list(rows)
    if how == "content":
        rows[2] = dataclasses.replace(rows[2], content={**rows[2].content, "actor_label": "someone else"})
    elif how == "deleted":
        del rows[2]
    elif how == "reordered":
        rows[2], rows[3] = rows[3], rows[2]
    elif how == "rehashed":  # content and its own hash rewritten together: the next row still names the old hash
        content = {**rows[2].content, "actor_label": "someone else"}
        digest = row_hash(content=content, previous_hash=rows[2].previous_hash)
        rows[2] = dataclasses.replace(rows[2], content=content, row_hash=digest)
        return rows
    return rows


@pytest.mark.parametrize(
    ("how", "broken_row", "reason"),
    [
        ("content", 103, "content does not match its hash"),
        ("deleted", 104, "expected place 3"),
        ("reordered", 104, "expected place 3"),
        ("rehashed", 104, "previous hash"),
    ],
)
def test_the_first_tampered_row_is_named(how, broken_row, reason):
    broken = first_break(_tampered(_chain(6), how))
    assert broken is not None
    assert broken.row_id == broken_row
    assert reason in broken.reason
