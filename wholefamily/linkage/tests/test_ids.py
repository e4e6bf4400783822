"""Stable ids: the fast base-32 encoding gives exactly the ids the first runs gave."""

from __future__ import annotations

import base64
import hashlib

from hypothesis import given
from hypothesis import strategies as st

from wholefamily.linkage.engine.ids import _base32_prefix, new_id


@given(st.binary(min_size=1, max_size=40))
def test_base32_prefix_is_b32encode(seed: bytes) -> None:
    digest = hashlib.sha256(seed).digest()
    assert _base32_prefix(digest) == base64.b32encode(digest).decode("ascii")[:10]


def test_new_id_avoids_taken_ids() -> None:
    taken: set[str] = set()
    first = new_id("P", "cluster-1", taken)
    assert first.startswith("P") and len(first) == 11
    assert new_id("P", "cluster-1", taken) != first  # same seed, but the first is taken now
