"""Commissioning rules as pure decisions: the catalogue's definition, a referral's steps, a service's places, need
against capacity by service and district, overlapping key workers, and waiting times and take-up.

The rules are those of definitions/commissioning/catalogue.yaml (Commissioning for Families with Complex Needs,
sections 2.1 to 2.3); the operational plane reads the records and calls these functions.
"""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class CatalogueError(ValueError):
    """A catalogue definition or a referral step that breaks the rules."""


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    source: str


@dataclass(frozen=True)
class CatalogueDefinition:
    version: int
    programme: str
    tiers: tuple[Term, ...]
    evidence_ratings: tuple[Term, ...]
    source: tuple[str, ...]

    def tier_label(self, code: str) -> str:
        return next((term.label for term in self.tiers if term.code == code), code)

    def rating_label(self, code: str) -> str:
        return next((term.label for term in self.evidence_ratings if term.code == code), code)


def parse_catalogue(raw: Mapping[str, Any]) -> CatalogueDefinition:
    def terms(key: str) -> tuple[Term, ...]:
        items = raw.get(key)
        if not isinstance(items, list) or not items:
            raise CatalogueError(f"the catalogue definition needs a list of {key}")
        out = []
        for item in items:
            if not isinstance(item, dict) or not item.get("code") or not item.get("label") or not item.get("source"):
                raise CatalogueError(f"every entry of {key} needs a code, a label and a source")
            out.append(Term(str(item["code"]), str(item["label"]), str(item["source"])))
        if len({term.code for term in out}) != len(out):
            raise CatalogueError(f"the codes of {key} must differ")
        return tuple(out)

    if not raw.get("programme"):
        raise CatalogueError("the catalogue definition names the programme whose problems services target")
    return CatalogueDefinition(
        version=int(raw.get("version", 0)),
        programme=str(raw["programme"]),
        tiers=terms("tiers"),
        evidence_ratings=terms("evidence_ratings"),
        source=tuple(str(s) for s in raw.get("source", [])),
    )


# --- A referral to a service, step by step ----------------------------------------------------------------------


class ReferralState(enum.StrEnum):
    REFERRED = "referred"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    STARTED = "started"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return REFERRAL_STATE_LABELS[self]


REFERRAL_STATE_LABELS = {
    ReferralState.REFERRED: "Referred, waiting for the service's decision",
    ReferralState.ACCEPTED: "Accepted, waiting to start",
    ReferralState.DECLINED: "Declined",
    ReferralState.STARTED: "Started",
    ReferralState.ENDED: "Ended",
}

# Where a referral may go next from each state.
NEXT_STATES: dict[ReferralState, tuple[ReferralState, ...]] = {
    ReferralState.REFERRED: (ReferralState.ACCEPTED, ReferralState.DECLINED),
    ReferralState.ACCEPTED: (ReferralState.STARTED, ReferralState.DECLINED),
    ReferralState.STARTED: (ReferralState.ENDED,),
    ReferralState.DECLINED: (),
    ReferralState.ENDED: (),
}
WAITING_STATES = frozenset({ReferralState.REFERRED, ReferralState.ACCEPTED})
IN_USE_STATES = frozenset({ReferralState.ACCEPTED, ReferralState.STARTED})


def check_step(current: ReferralState, to: ReferralState, *, on: dt.date, last_on: dt.date, today: dt.date) -> None:
    """Refuse a step the referral cannot take: not next from its state, before its last step, or in the future."""
    if to not in NEXT_STATES[current]:
        raise CatalogueError(f"A referral that is {current.label.lower()} cannot become {to.label.lower()}")
    if on < last_on:
        raise CatalogueError(f"The date must be on or after {last_on:%-d %B %Y}, the referral's last step")
    if on > today:
        raise CatalogueError("The date cannot be in the future")


# --- Places, need and capacity -----------------------------------------------------------------------------------


def places_per_quarter(*, capacity: int, is_hours: bool, hours_per_family: int | None) -> int:
    """The families a service holds a quarter (catalogue.yaml, 'Hours a quarter as families')."""
    if not is_hours:
        return capacity
    if not hours_per_family:
        raise CatalogueError("A service counted in hours needs the hours a family receives in a quarter")
    return capacity // hours_per_family


def district_shares(places: int, districts: Sequence[str]) -> dict[str, float]:
    """A service's places shared equally among the districts it reaches (catalogue.yaml, 'Capacity shared')."""
    if not districts:
        return {}
    return {district: places / len(districts) for district in districts}


@dataclass(frozen=True)
class ServiceFacts:
    service_id: int
    name: str
    target_needs: frozenset[str]
    districts: tuple[str, ...]
    places: int
    provides_key_worker: bool


@dataclass(frozen=True)
class CohortFacts:
    """One family of the latest identification: where it lives, its problems, and whether it has an open case."""

    household_id: str
    district: str
    problems: frozenset[str]
    has_open_case: bool


@dataclass(frozen=True)
class ReferralFacts:
    service_id: int
    case_id: int
    district: str
    state: ReferralState


@dataclass(frozen=True)
class CapacityRow:
    service_id: int
    service: str
    district: str
    need: int  # families in the district with a problem the service targets
    need_with_case: int  # of which with an open case
    places: float  # the district's share of the service's places a quarter
    in_use: int
    waiting: int

    @property
    def gap(self) -> float:
        """Families in need beyond the places (0 when the places cover the need)."""
        return max(self.need - self.places, 0.0)

    @property
    def is_gap(self) -> bool:
        return self.need > self.places

    @property
    def is_full(self) -> bool:
        return self.places > 0 and self.in_use >= self.places


@dataclass(frozen=True)
class UnservedNeed:
    """A headline problem in a district that no service in the catalogue targets there."""

    district: str
    problem: str
    families: int


@dataclass(frozen=True)
class Overlap:
    district: str
    families: int  # families with two or more key-worker services at once
    services: tuple[str, ...]  # the services involved


@dataclass
class NeedAgainstCapacity:
    rows: list[CapacityRow] = field(default_factory=list)
    unserved: list[UnservedNeed] = field(default_factory=list)
    overlaps: list[Overlap] = field(default_factory=list)


def need_against_capacity(
    services: Iterable[ServiceFacts], cohort: Iterable[CohortFacts], referrals: Iterable[ReferralFacts]
) -> NeedAgainstCapacity:
    services = list(services)
    cohort = list(cohort)
    referrals = list(referrals)
    use: dict[tuple[int, str], int] = defaultdict(int)
    waiting: dict[tuple[int, str], int] = defaultdict(int)
    for referral in referrals:
        if referral.state in IN_USE_STATES:
            use[(referral.service_id, referral.district)] += 1
        if referral.state in WAITING_STATES:
            waiting[(referral.service_id, referral.district)] += 1
    result = NeedAgainstCapacity()
    reached: dict[str, set[str]] = defaultdict(set)  # district -> problems some service targets there
    for service in services:
        shares = district_shares(service.places, service.districts)
        for district in service.districts:
            reached[district] |= service.target_needs
            in_need = [f for f in cohort if f.district == district and f.problems & service.target_needs]
            result.rows.append(
                CapacityRow(
                    service_id=service.service_id,
                    service=service.name,
                    district=district,
                    need=len(in_need),
                    need_with_case=sum(1 for f in in_need if f.has_open_case),
                    places=shares[district],
                    in_use=use[(service.service_id, district)],
                    waiting=waiting[(service.service_id, district)],
                )
            )
    unserved: dict[tuple[str, str], int] = defaultdict(int)
    for family in cohort:
        for problem in family.problems - reached[family.district]:
            unserved[(family.district, problem)] += 1
    result.unserved = [UnservedNeed(d, p, n) for (d, p), n in sorted(unserved.items())]
    result.overlaps = key_worker_overlaps(services, referrals)
    return result


def key_worker_overlaps(services: Iterable[ServiceFacts], referrals: Iterable[ReferralFacts]) -> list[Overlap]:
    """Families with two or more key-worker services accepted or started and not ended, by district."""
    key_workers = {s.service_id: s.name for s in services if s.provides_key_worker}
    by_case: dict[tuple[str, int], set[int]] = defaultdict(set)
    for referral in referrals:
        if referral.state in IN_USE_STATES and referral.service_id in key_workers:
            by_case[(referral.district, referral.case_id)].add(referral.service_id)
    families: dict[str, int] = defaultdict(int)
    names: dict[str, set[str]] = defaultdict(set)
    for (district, _case), service_ids in by_case.items():
        if len(service_ids) > 1:
            families[district] += 1
            names[district] |= {key_workers[s] for s in service_ids}
    return [Overlap(d, families[d], tuple(sorted(names[d]))) for d in sorted(families)]


# --- Waiting times and take-up ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TakeUp:
    referred: int
    declined: int
    waiting: int
    started: int  # started or ended
    ended: int
    waits: tuple[int, ...]  # days from referral to start, of the started

    @property
    def take_up(self) -> float | None:
        """Started of the referrals decided (started or declined): None when none is decided."""
        decided = self.started + self.declined
        return self.started / decided if decided else None

    def median_wait(self, threshold: int) -> float | None:
        return statistics.median(self.waits) if len(self.waits) >= max(threshold, 1) else None


@dataclass(frozen=True)
class ReferralDates:
    state: ReferralState
    referred_on: dt.date
    started_on: dt.date | None


def take_up(referrals: Iterable[ReferralDates]) -> TakeUp:
    referrals = list(referrals)
    started = [r for r in referrals if r.state in (ReferralState.STARTED, ReferralState.ENDED)]
    return TakeUp(
        referred=len(referrals),
        declined=sum(1 for r in referrals if r.state is ReferralState.DECLINED),
        waiting=sum(1 for r in referrals if r.state in WAITING_STATES),
        started=len(started),
        ended=sum(1 for r in referrals if r.state is ReferralState.ENDED),
        waits=tuple(sorted((r.started_on - r.referred_on).days for r in started if r.started_on is not None)),
    )


# --- Contracts and quarterly monitoring returns (Appendix C, sections 13.1 and 13.3) ------------------------------

INDICATOR_KINDS = frozenset({"count", "percent", "days", "pounds"})
COMPUTABLE = frozenset({"referrals", "started", "ended", "declined", "response_days", "goals_achieved"})


@dataclass(frozen=True)
class Indicator:
    code: str
    section: str
    kind: str
    label: str
    source: str
    computed: str | None = None


@dataclass(frozen=True)
class MonitoringDefinition:
    version: int
    sections: tuple[Term, ...]
    indicators: tuple[Indicator, ...]
    narrative: tuple[Term, ...]
    due_days: int

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)


def parse_monitoring(raw: Mapping[str, Any]) -> MonitoringDefinition:
    sections = tuple(Term(str(s["code"]), str(s["label"]), "") for s in raw.get("sections", []))
    section_codes = {s.code for s in sections}
    indicators = []
    for item in raw.get("indicators", []):
        if item.get("section") not in section_codes:
            raise CatalogueError(f"indicator {item.get('code')!r} names no known section")
        if item.get("kind") not in INDICATOR_KINDS:
            raise CatalogueError(f"indicator {item.get('code')!r} has no known kind")
        if item.get("computed") is not None and item["computed"] not in COMPUTABLE:
            raise CatalogueError(f"indicator {item.get('code')!r} names a figure the service cannot compute")
        if not item.get("source"):
            raise CatalogueError(f"indicator {item.get('code')!r} cites no source")
        indicators.append(
            Indicator(
                str(item["code"]),
                str(item["section"]),
                str(item["kind"]),
                str(item["label"]),
                str(item["source"]),
                item.get("computed"),
            )
        )
    if len({i.code for i in indicators}) != len(indicators):
        raise CatalogueError("indicator codes must differ")
    narrative = tuple(Term(str(n["code"]), str(n["label"]), str(n.get("source", ""))) for n in raw.get("narrative", []))
    due = int(raw.get("due_days_after_quarter", -1))
    if due < 0:
        raise CatalogueError("the monitoring definition says how many days after a quarter a return is due")
    return MonitoringDefinition(int(raw.get("version", 0)), sections, tuple(indicators), narrative, due)


@dataclass(frozen=True)
class QuarterReferral:
    """One referral to the contract's service, for the quarter's computed figures (no family named)."""

    referred_on: dt.date
    decided_on: dt.date | None
    started_on: dt.date | None
    ended_on: dt.date | None
    state: ReferralState
    goal_achieved: bool


def computed_figures(referrals: Iterable[QuarterReferral], *, starts_on: dt.date, ends_on: dt.date) -> dict[str, Any]:
    """The figures the service computes for a quarter (monitoring.yaml, 'Figures the service computes')."""

    def within(day: dt.date | None) -> bool:
        return day is not None and starts_on <= day <= ends_on

    referrals = list(referrals)
    declined = [r for r in referrals if r.state is ReferralState.DECLINED and within(r.decided_on)]
    decided = [r for r in referrals if within(r.decided_on) and r.decided_on is not None]
    ended = [r for r in referrals if within(r.ended_on)]
    responses = [(r.decided_on - r.referred_on).days for r in decided if r.decided_on is not None]
    return {
        "referrals": sum(1 for r in referrals if within(r.referred_on)),
        "started": sum(1 for r in referrals if within(r.started_on)),
        "ended": len(ended),
        "declined": len(declined),
        "response_days": statistics.median(responses) if responses else None,
        "goals_achieved": round(100 * sum(r.goal_achieved for r in ended) / len(ended), 1) if ended else None,
    }


class ReturnStatus(enum.StrEnum):
    NOT_DUE = "not_due"
    DUE = "due"  # the quarter has ended, the return is not late yet
    SUBMITTED = "submitted"
    LATE = "late"  # submitted after its due date
    MISSING = "missing"  # not submitted and past its due date

    @property
    def label(self) -> str:
        return RETURN_STATUS_LABELS[self]


RETURN_STATUS_LABELS = {
    ReturnStatus.NOT_DUE: "Not due yet",
    ReturnStatus.DUE: "Due",
    ReturnStatus.SUBMITTED: "Submitted",
    ReturnStatus.LATE: "Submitted late",
    ReturnStatus.MISSING: "Missing",
}


def return_status(
    *, quarter_ends_on: dt.date, due_days: int, submitted_on: dt.date | None, today: dt.date
) -> ReturnStatus:
    due_on = quarter_ends_on + dt.timedelta(days=due_days)
    if submitted_on is not None:
        return ReturnStatus.LATE if submitted_on > due_on else ReturnStatus.SUBMITTED
    if today <= quarter_ends_on:
        return ReturnStatus.NOT_DUE
    return ReturnStatus.MISSING if today > due_on else ReturnStatus.DUE


# --- Needs analysis by district and ward (section 2.1, Analysis of need) ---------------------------------------


@dataclass(frozen=True)
class AreaFamily:
    """One identified family as the needs analysis counts it: its area, and its problems or indicators."""

    district: str
    ward: str
    codes: frozenset[str]


@dataclass(frozen=True)
class AreaNeedRow:
    area: str  # "District" or "District: Ward"
    families: int  # identified families in the area
    with_code: int  # of which with the chosen problem or indicator (all of them when none is chosen)
    over_time: tuple[int, ...]  # with the code at each earlier date, oldest first, ending with this one


def ranked_need(snapshots: Sequence[Sequence[AreaFamily]], *, by_ward: bool, code: str = "") -> list[AreaNeedRow]:
    """Areas ranked by families with `code` (most first, then by name), from the latest of `snapshots` (oldest first),
    with each area's count at every snapshot."""

    def area_of(family: AreaFamily) -> str:
        return f"{family.district}: {family.ward or 'No ward'}" if by_ward else family.district or "No district"

    def counts(families: Sequence[AreaFamily]) -> tuple[dict[str, int], dict[str, int]]:
        total: dict[str, int] = defaultdict(int)
        matching: dict[str, int] = defaultdict(int)
        for family in families:
            area = area_of(family)
            total[area] += 1
            if not code or code in family.codes:
                matching[area] += 1
        return total, matching

    if not snapshots:
        return []
    per_snapshot = [counts(families) for families in snapshots]
    latest_total, latest_matching = per_snapshot[-1]
    areas = set(latest_total)
    rows = [
        AreaNeedRow(
            area,
            latest_total[area],
            latest_matching.get(area, 0),
            tuple(matching.get(area, 0) for _total, matching in per_snapshot),
        )
        for area in areas
    ]
    return sorted(rows, key=lambda row: (-row.with_code, row.area))
