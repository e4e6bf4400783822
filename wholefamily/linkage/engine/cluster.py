"""Clusters of profiles from scored pairs: connected components above the link threshold, honouring reviewers'
must-link and cannot-link decisions (a cluster that would hold a cannot-link pair is rebuilt from its strongest
links first, refusing any link that would join the pair)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Clusters:
    """`labels[i]` is the cluster of node i (the smallest node index in it); `best[i]` the strongest kept link."""

    labels: np.ndarray
    best: np.ndarray


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label (smallest member index) of each of n nodes, by hooking and pointer jumping."""
    labels = np.arange(n, dtype=np.int64)
    if len(left) == 0:
        return labels
    left = left.astype(np.int64)
    right = right.astype(np.int64)
    while True:
        label_left, label_right = labels[left], labels[right]
        if np.array_equal(label_left, label_right):
            return labels
        low = np.minimum(label_left, label_right)
        np.minimum.at(labels, label_left, low)
        np.minimum.at(labels, label_right, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped


class _Find:
    def __init__(self, nodes: Iterable[int]) -> None:
        self.parent = {node: node for node in nodes}

    def __call__(self, node: int) -> int:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root


def _split_conflicts(
    labels: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    probability: np.ndarray,
    cannot: Sequence[tuple[int, int]],
) -> np.ndarray:
    """Rebuild each component holding a cannot-link pair, strongest links first, refusing links that join one."""
    bad_components = {int(labels[a]) for a, b in cannot if labels[a] == labels[b]}
    if not bad_components:
        return labels
    labels = labels.copy()
    in_bad = np.isin(labels[left], list(bad_components))
    order = np.argsort(-probability[in_bad], kind="stable")
    edge_left, edge_right = left[in_bad][order], right[in_bad][order]
    nodes = np.flatnonzero(np.isin(labels, list(bad_components)))
    find = _Find(int(node) for node in nodes)
    forbidden: dict[int, set[int]] = {int(node): set() for node in nodes}
    for a, b in cannot:
        if a in forbidden and b in forbidden:
            forbidden[a].add(b)
            forbidden[b].add(a)
    members: dict[int, set[int]] = {int(node): {int(node)} for node in nodes}
    for a, b in zip(edge_left.tolist(), edge_right.tolist(), strict=True):
        root_a, root_b = find(a), find(b)
        if root_a == root_b:
            continue
        if forbidden[root_a] & members[root_b]:
            continue
        if len(members[root_a]) < len(members[root_b]):
            root_a, root_b = root_b, root_a
        find.parent[root_b] = root_a
        members[root_a] |= members.pop(root_b)
        forbidden[root_a] |= forbidden.pop(root_b)
    for group in members.values():
        labels[list(group)] = min(group)
    return labels


def cluster(
    n: int,
    *,
    left: np.ndarray,
    right: np.ndarray,
    probability: np.ndarray,
    threshold: float,
    cannot: Sequence[tuple[int, int]] = (),
) -> Clusters:
    """Cluster n nodes over pairs (left, right, probability) kept at or above `threshold`."""
    keep = probability >= threshold
    if cannot:
        blocked = {(min(a, b), max(a, b)) for a, b in cannot}
        pair_keys = zip(np.minimum(left, right).tolist(), np.maximum(left, right).tolist(), strict=True)
        keep &= np.fromiter((key not in blocked for key in pair_keys), dtype=bool, count=len(left))
    kept_left, kept_right, kept_probability = left[keep], right[keep], probability[keep]
    labels = connected_components(n, kept_left, kept_right)
    if cannot:
        labels = _split_conflicts(labels, kept_left, kept_right, kept_probability, cannot)
    best = np.full(n, np.nan)
    same = labels[kept_left] == labels[kept_right]
    for side in (kept_left, kept_right):
        np.fmax.at(best, side[same], kept_probability[same])
    return Clusters(labels=labels, best=best)
