"""Stable person and household ids across linkage runs: a new cluster keeps the id of the previous entity holding
most of its members; merges and splits are reported (ADR 0004)."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
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


def new_id(prefix: str, seed: str, taken: set[str]) -> str:
    """A deterministic new id 'P' + 10 base-32 characters from a seed, avoiding ids already in use."""
    salt = 0
    while True:
        digest = hashlib.sha256(f"{seed}:{salt}".encode()).digest()
        candidate = prefix + base64.b32encode(digest).decode("ascii")[:10]
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        salt += 1


def assign_ids(
    *,
    prefix: str,
    members: Mapping[str, Iterable[tuple[str, int]]],
    previous: Mapping[str, str],
    taken: Iterable[str] = (),
) -> Assignment:
    """Give each new cluster an id.

    `members`: cluster key -> (member key, weight) pairs (members are profiles weighted by records, or persons).
    `previous`: member key -> id in the previous run. `taken`: every id ever used (never reused for new entities).
    """
    overlap: dict[tuple[str, str], int] = Counter()
    previous_size: dict[str, int] = Counter()
    cluster_size: dict[str, int] = Counter()
    previous_spread: dict[str, set[str]] = defaultdict(set)  # previous id -> new clusters holding its members
    for cluster_key, cluster_members in members.items():
        for member, weight in cluster_members:
            cluster_size[cluster_key] += weight
            old = previous.get(member)
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
    for cluster_key in sorted(members):
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
