"""Service monitoring of a commissioned family service (Commissioning for Families with Complex Needs, Appendix C
section 13.1) as pure rules over the families' and referrals' facts, for one quarter. Figures are raw; small numbers
are hidden where they are shown. Definition: definitions/reporting/monitoring.yaml.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.reporting.card import FamilyRecord, Kind, Value
from wholefamily.domain.reporting.quarters import Quarter

ACCEPT = "accept"
UNDECIDED = "Not yet decided"


@dataclass(frozen=True)
class ReferralRecord:
    district: str
    agency: str  # the referral route's label (Appendix C section 6)
    received_on: dt.date
    decided_on: dt.date | None
    decision: str  # "" while undecided
    decision_label: str


@dataclass(frozen=True)
class NotRecorded:
    indicator: str
    reason: str


@dataclass(frozen=True)
class MonitoringDefinition:
    response_bands: tuple[tuple[int, str], ...]
    not_recorded: tuple[NotRecorded, ...]
    source: tuple[str, ...]
    version: int

    def band(self, days: int) -> str:
        return next(
            (label for limit, label in self.response_bands if days <= limit),
            f"More than {self.response_bands[-1][0]} days",
        )

    @property
    def band_labels(self) -> tuple[str, ...]:
        return (*(label for _, label in self.response_bands), f"More than {self.response_bands[-1][0]} days")


def parse_monitoring(raw: Mapping[str, Any]) -> MonitoringDefinition:
    bands = tuple((int(b["max_days"]), str(b["label"])) for b in raw.get("response_bands") or ())
    if not bands or [b[0] for b in bands] != sorted({b[0] for b in bands}):
        raise ValueError("monitoring: response_bands must rise strictly")
    if not raw.get("source"):
        raise ValueError("monitoring: source is required")
    return MonitoringDefinition(
        response_bands=bands,
        not_recorded=tuple(NotRecorded(str(n["indicator"]), str(n["reason"])) for n in raw.get("not_recorded") or ()),
        source=tuple(str(s) for s in raw["source"]),
        version=int(raw.get("version", 1)),
    )


def load_monitoring(path: Path) -> MonitoringDefinition:
    return parse_monitoring(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Indicator:
    question: str
    code: str
    label: str
    kind: Kind
    value: Value


@dataclass(frozen=True)
class Breakdown:
    code: str
    caption: str
    row_head: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    has_totals: bool = True  # False when a family may be counted in several rows


def _share(flags: Sequence[bool]) -> Value:
    return Value(100 * sum(flags) / len(flags) if flags else 0.0, len(flags))


def indicators(
    families: Sequence[FamilyRecord], referrals: Sequence[ReferralRecord], quarter: Quarter
) -> list[Indicator]:
    received = [r for r in referrals if quarter.contains(r.received_on)]
    decided = [r for r in referrals if quarter.contains(r.decided_on)]
    started = [f for f in families if quarter.contains(f.opened_on)]
    finished = [f for f in families if quarter.contains(f.closed_on)]
    waits = [(r.decided_on - r.received_on).days for r in decided if r.decided_on is not None]
    meetings = [
        multi
        for f in families
        for on, multi in zip(f.taf_meetings, f.multi_agency_meetings, strict=False)
        if quarter.contains(on)
    ]
    much, well, better = "How much do you do?", "How well do you do it?", "Is anyone better off?"
    return [
        Indicator(much, "referrals", "Referrals received", Kind.COUNT, Value(len(received))),
        Indicator(
            much,
            "re_referrals",
            "Families starting who were referred again",
            Kind.PERCENT,
            _share([f.is_re_referral for f in started]),
        ),
        Indicator(
            much,
            "allocated",
            "Families allocated a key worker",
            Kind.COUNT,
            Value(sum(1 for f in families for start, _ in f.allocations if quarter.contains(start))),
        ),
        Indicator(much, "closed", "Families finishing", Kind.COUNT, Value(len(finished))),
        Indicator(
            much,
            "inappropriate",
            "Referrals not accepted (inappropriate referrals)",
            Kind.COUNT,
            Value(sum(1 for r in decided if r.decision != ACCEPT)),
        ),
        Indicator(
            well,
            "response_days",
            "Median days from referral to decision",
            Kind.DAYS,
            Value(float(statistics.median(waits)) if waits else 0.0, len(waits)),
        ),
        Indicator(
            well,
            "engagement",
            "Families who engaged to the end",
            Kind.PERCENT,
            _share([f.destination != "disengaged" for f in finished if f.allocations]),
        ),
        Indicator(
            well,
            "multi_agency_meetings",
            "Team Around the Family meetings with two or more agencies",
            Kind.PERCENT,
            _share(meetings),
        ),
        Indicator(
            better,
            "goals_achieved",
            "Goals in family plans achieved",
            Kind.PERCENT,
            _share([g for f in finished for g in f.goals_achieved]),
        ),
    ]


def _by(labels: Sequence[str]) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    rows = tuple(sorted(set(labels)))
    return rows, tuple((sum(1 for label in labels if label == row),) for row in rows)


def breakdowns(
    families: Sequence[FamilyRecord],
    referrals: Sequence[ReferralRecord],
    quarter: Quarter,
    definition: MonitoringDefinition,
    destination_labels: Mapping[str, str],
) -> list[Breakdown]:
    received = [r for r in referrals if quarter.contains(r.received_on)]
    decisions = [*sorted({r.decision_label for r in received if r.decision}), UNDECIDED]
    districts = sorted({r.district for r in received})
    by_area = tuple(
        tuple(
            sum(1 for r in received if r.district == d and (r.decision_label if r.decision else UNDECIDED) == c)
            for c in decisions
        )
        for d in districts
    )
    agencies, by_agency = _by([r.agency for r in received])
    started = [f for f in families if quarter.contains(f.opened_on)]
    issues, by_issue = _by([problem for f in started for problem in f.problems])
    finished = [f for f in families if quarter.contains(f.closed_on)]
    destinations, by_destination = _by([destination_labels.get(f.destination, f.destination) for f in finished])
    decided = [r for r in referrals if quarter.contains(r.decided_on) and r.decided_on is not None]
    bands = definition.band_labels
    waits = [definition.band((r.decided_on - r.received_on).days) for r in decided if r.decided_on is not None]
    return [
        Breakdown(
            "by_area",
            f"Referrals received in {quarter.label} by area and decision",
            "District",
            tuple(districts),
            tuple(decisions),
            by_area,
        ),
        Breakdown(
            "by_agency",
            f"Referrals received in {quarter.label} by referring agency",
            "Referring agency",
            agencies,
            ("Referrals",),
            by_agency,
        ),
        Breakdown(
            "by_issue",
            f"Families starting in {quarter.label} by presenting issue",
            "Headline problem",
            issues,
            ("Families",),
            by_issue,
            has_totals=False,
        ),
        Breakdown(
            "by_destination",
            f"Families finishing in {quarter.label} by final destination",
            "Destination",
            destinations,
            ("Families",),
            by_destination,
        ),
        Breakdown(
            "response",
            f"Referrals decided in {quarter.label} by days to decide",
            "Days to decide",
            bands,
            ("Referrals",),
            tuple((sum(1 for w in waits if w == b),) for b in bands),
        ),
    ]
