"""Stable person and household ids across linkage runs: a new cluster keeps the id of the previous entity holding
most of its members; merges and splits are reported (ADR 0004)."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IdChange:
    change: str  # merge, split, retire
    previous_id: str
    new_id: str
    records: int


@dataclass
class Assignment:
    ids: dict[str, str]  # cluster key -> stable id
    changes: list[IdChange] = field(default_factory=list)
    kept: int = 0  # weight of members whose id carried over


_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648, as base64.b32encode


_PAIRS = [first + second for first in _BASE32 for second in _BASE32]  # 10 bits -> two characters


def _base32_prefix(digest: bytes) -> str:
    """The first 10 characters of base64.b32encode(digest) (its first 50 bits), without its slow pure-Python loop."""
    bits = int.from_bytes(digest[:7], "big") >> 6
    return (
        _PAIRS[bits >> 40] + _PAIRS[(bits >> 30) & 1023] + _PAIRS[(bits >> 20) & 1023] + _PAIRS[(bits >> 10) & 1023]
        + _PAIRS[bits & 1023]
    )  # fmt: skip


def new_id(prefix: str, seed: str, taken: set[str]) -> str:
    """A deterministic new id 'P' + 10 base-32 characters from a seed, avoiding ids already in use."""
    salt = 0
    while True:
        candidate = prefix + _base32_prefix(hashlib.sha256(f"{seed}:{salt}".encode()).digest())
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        salt += 1


def assign_ids(
    *,
    prefix: str,
    clusters: Sequence[str],
    members: Sequence[str],
    weights: Sequence[int],
    previous: Mapping[str, str],
    taken: Iterable[str] = (),
) -> Assignment:
    """Give each new cluster an id. Member i is `members[i]` of cluster `clusters[i]` with weight `weights[i]`
    (members are profiles weighted by records, or person@dwelling keys). `previous`: member key -> id in the previous
    run. `taken`: every id ever used (never reused for new entities)."""
    overlap: dict[tuple[str, str], int] = Counter()
    previous_size: dict[str, int] = Counter()
    previous_spread: dict[str, set[str]] = defaultdict(set)  # previous id -> new clusters holding its members
    if previous:
        previous_of = previous.get
        for cluster_key, member, weight in zip(clusters, members, weights, strict=True):
            old = previous_of(member)
            if old is not None:
                overlap[(cluster_key, old)] += weight
                previous_size[old] += weight
                previous_spread[old].add(cluster_key)
    candidates = sorted(
        overlap.items(), key=lambda item: (-item[1], -item[1] / max(previous_size[item[0][1]], 1), item[0][1])
    )
    ids: dict[str, str] = {}
    used: set[str] = set()
    assignment = Assignment(ids=ids)
    for (cluster_key, old), weight in candidates:
        if cluster_key in ids or old in used:
            continue
        ids[cluster_key] = old
        used.add(old)
        assignment.kept += weight
    all_taken = set(taken) | set(previous.values())
    for cluster_key in sorted(set(clusters)):
        if cluster_key not in ids:
            ids[cluster_key] = new_id(prefix, cluster_key, all_taken)
    for (cluster_key, old), weight in sorted(overlap.items()):
        winner = ids[cluster_key]
        if winner == old:
            continue
        # `old` kept its id elsewhere: some of its members split off; otherwise it was merged into `winner`.
        assignment.changes.append(IdChange("split" if old in used else "merge", old, winner, weight))
    for old in sorted(set(previous.values()) - used - set(previous_spread)):
        assignment.changes.append(IdChange("retire", old, "", 0))
    return assignment
