"""The "Is anyone better off?" report card (Commissioning for Families with Complex Needs, Appendix E) as pure rules:
each family's tier of need, age group, distance travelled and plan result, and the aggregates by group. Bands come
from definitions/distance-travelled/report-card.yaml.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.criteria.windows import birth_date_cutoff

NOT_SCORED = "Not scored"
NO_CHILD = "No child recorded"


class PlanResult(enum.StrEnum):
    WHOLLY = "wholly_achieved"
    PARTIALLY = "partially_achieved"
    NOT_ACHIEVED = "not_achieved"
    DROPPED_OUT = "dropped_out"
    OPEN = "open"

    @property
    def label(self) -> str:
        return {
            PlanResult.WHOLLY: "Wholly achieved",
            PlanResult.PARTIALLY: "Partially achieved",
            PlanResult.NOT_ACHIEVED: "Not achieved",
            PlanResult.DROPPED_OUT: "Family dropped out",
            PlanResult.OPEN: "Plan still open",
        }[self]


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    limit: float


@dataclass(frozen=True)
class ReportCardDefinition:
    tiers: tuple[Band, ...]
    age_groups: tuple[Band, ...]
    smallest_group: int
    sources: tuple[str, ...]

    def tier(self, baseline_mean: float | None) -> str:
        if baseline_mean is None:
            return NOT_SCORED
        return next((band.label for band in self.tiers if baseline_mean <= band.limit), self.tiers[-1].label)

    def age_group(self, youngest_born_on: dt.date | None, on: dt.date) -> str:
        if youngest_born_on is None:
            return NO_CHILD
        for band in self.age_groups:
            if youngest_born_on > birth_date_cutoff(on, int(band.limit) + 1):
                return band.label
        return NO_CHILD


def parse_report_card(raw: Mapping[str, Any]) -> ReportCardDefinition:
    tiers = tuple(Band(str(t["code"]), str(t["label"]), float(t["max_baseline_mean"])) for t in raw["tiers"])
    ages = tuple(Band(str(a["code"]), str(a["label"]), float(a["max_age"])) for a in raw["age_groups"])
    for name, bands in (("tiers", tiers), ("age_groups", ages)):
        limits = [band.limit for band in bands]
        if not bands or limits != sorted(limits) or len(set(limits)) != len(limits):
            raise ValueError(f"report card: {name} must rise strictly")
    if not raw.get("source"):
        raise ValueError("report card: source is required")
    return ReportCardDefinition(tiers, ages, int(raw.get("smallest_group", 5)), tuple(str(s) for s in raw["source"]))


def load_report_card(path: Path) -> ReportCardDefinition:
    return parse_report_card(yaml.safe_load(path.read_text(encoding="utf-8")))


def plan_result(*, is_closed: bool, is_disengaged: bool, goals_achieved: Sequence[bool]) -> PlanResult:
    """Appendix E plan results (rule and reasons: report-card.yaml, 'Plan results')."""
    if not is_closed:
        return PlanResult.OPEN
    if is_disengaged:
        return PlanResult.DROPPED_OUT
    if goals_achieved and all(goals_achieved):
        return PlanResult.WHOLLY
    if any(goals_achieved):
        return PlanResult.PARTIALLY
    return PlanResult.NOT_ACHIEVED


def family_distance(baseline: Mapping[tuple[str, str], int], latest: Mapping[tuple[str, str], int]) -> float | None:
    """Average of baseline minus latest over the items scored at both; None without any such item."""
    both = [baseline[key] - latest[key] for key in baseline if key in latest]
    return sum(both) / len(both) if both else None


@dataclass(frozen=True)
class FamilyFacts:
    tier: str
    age_group: str
    district: str
    key_worker_type: str
    distance: float | None  # None: not yet reviewed
    plan: PlanResult


@dataclass(frozen=True)
class GroupRow:
    group: str
    families: int
    reviewed: int
    mean_distance: float | None  # None when not reviewed or below the smallest group shown
    less_need: int
    plans: Mapping[PlanResult, int]

    @property
    def is_suppressed(self) -> bool:
        return self.mean_distance is None and self.reviewed > 0


DIMENSIONS = (
    ("tier", "Tier of need"),
    ("age_group", "Age group"),
    ("district", "District"),
    ("key_worker_type", "Type of key worker"),
)


def aggregate(facts: Iterable[FamilyFacts], dimension: str, *, smallest_group: int) -> list[GroupRow]:
    groups: dict[str, list[FamilyFacts]] = {}
    for fact in facts:
        groups.setdefault(str(getattr(fact, dimension)), []).append(fact)
    rows = []
    for group in sorted(groups):
        members = groups[group]
        travelled = [f.distance for f in members if f.distance is not None]
        mean = sum(travelled) / len(travelled) if len(travelled) >= smallest_group else None
        plans = {result: sum(1 for f in members if f.plan is result) for result in PlanResult}
        rows.append(GroupRow(group, len(members), len(travelled), mean, sum(1 for d in travelled if d > 0), plans))
    return rows
