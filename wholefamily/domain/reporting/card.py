"""Results Based Accountability report cards (Commissioning for Families with Complex Needs, Appendix E) as pure rules:
each family's facts as the records hold them, and each measure of "How much did we do? How well did we do it? Is
anyone better off?" for a quarter, for the whole pathway or its key worker element. Figures are raw here; small
numbers are hidden where they are shown (small_numbers.py). Choices: docs/adr/0021-*.md.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from wholefamily.domain.reporting.quarters import Quarter


class PlanResult(enum.StrEnum):
    WHOLLY = "wholly_achieved"
    PARTIALLY = "partially_achieved"
    NOT_ACHIEVED = "not_achieved"
    DROPPED_OUT = "dropped_out"

    @property
    def label(self) -> str:
        return {
            PlanResult.WHOLLY: "Plans wholly achieved",
            PlanResult.PARTIALLY: "Plans partially achieved",
            PlanResult.NOT_ACHIEVED: "Plans not achieved at all",
            PlanResult.DROPPED_OUT: "Family dropped out",
        }[self]


DISENGAGED = "disengaged"
STEP_UP = "step_up_social_care"
NOT_ALLOCATED = "Not allocated"
# Time working with a family (Appendix E, key worker element): less than 1 month, 1-3, 3-6, 6 months plus.
TIME_BANDS = ((31, "Less than 1 month"), (92, "1 to 3 months"), (183, "3 to 6 months"), (None, "6 months or more"))


@dataclass(frozen=True)
class FamilyRecord:
    """One family on the programme, as the case, plan, review, allocation and distance-travelled records hold it."""

    case_id: int
    district: str
    age_group: str
    tier: str
    characteristic: str  # household make-up: lone parent, two parents...
    instigator: str  # who started the process: the referral's route, or identification from agency data
    key_worker_type: str  # the allocated key worker's job title, or NOT_ALLOCATED
    opened_on: dt.date
    closed_on: dt.date | None = None
    destination: str = ""
    is_re_referral: bool = False
    allocations: tuple[tuple[dt.date, dt.date | None], ...] = ()  # key worker spells
    assessments: tuple[dt.date, ...] = ()
    taf_meetings: tuple[dt.date, ...] = ()
    reviews: tuple[tuple[dt.date, dt.date], ...] = ()  # (due_on, held_on)
    plan_agreed_on: dt.date | None = None
    agreement_signed_on: dt.date | None = None
    goals_achieved: tuple[bool, ...] = ()
    goal_agencies: frozenset[str] = field(default_factory=frozenset)
    distances: tuple[tuple[dt.date, float], ...] = ()  # (review scored on, distance travelled since the baseline)
    problems: tuple[str, ...] = ()  # headline problems when identification found the family (labels)
    multi_agency_meetings: tuple[bool, ...] = ()  # per Team Around the Family meeting: two or more agencies attended
    household_id: str = ""  # the linked household, for the indirect impact indicators; "" when not linked

    def is_open_during(self, quarter: Quarter) -> bool:
        return quarter.overlaps(self.opened_on, self.closed_on)

    def had_key_worker_during(self, quarter: Quarter) -> bool:
        return any(quarter.overlaps(start, end) for start, end in self.allocations)

    def first_allocated_on(self) -> dt.date | None:
        return min((start for start, _ in self.allocations), default=None)

    def distance_by(self, day: dt.date) -> float | None:
        """Distance travelled at the latest review scored on or before `day`."""
        scored = [(on, value) for on, value in self.distances if on <= day]
        return max(scored)[1] if scored else None

    @property
    def plan_result(self) -> PlanResult | None:
        """Appendix E's plan results, for a closed case (report-card.yaml, 'Plan results'); None while open."""
        if self.closed_on is None:
            return None
        if self.destination == DISENGAGED:
            return PlanResult.DROPPED_OUT
        if self.goals_achieved and all(self.goals_achieved):
            return PlanResult.WHOLLY
        if any(self.goals_achieved):
            return PlanResult.PARTIALLY
        return PlanResult.NOT_ACHIEVED

    def time_band(self) -> str | None:
        """How long a closed family had a key worker: from the first allocation to closure."""
        start = self.first_allocated_on()
        if start is None or self.closed_on is None:
            return None
        days = (self.closed_on - start).days
        return next(label for limit, label in TIME_BANDS if limit is None or days < limit)


FILTER_FIELDS = (
    ("district", "District"),
    ("age_group", "Age group"),
    ("tier", "Tier of need"),
    ("characteristic", "Family make-up"),
    ("instigator", "Who started the process"),
    ("key_worker_type", "Key worker's background"),
)


def filter_records(records: Iterable[FamilyRecord], chosen: dict[str, str]) -> list[FamilyRecord]:
    """The families matching every chosen value (an empty value is no filter)."""
    wanted = {name: value for name, value in chosen.items() if value and name in dict(FILTER_FIELDS)}
    return [r for r in records if all(getattr(r, name) == value for name, value in wanted.items())]


def choices_for(records: Sequence[FamilyRecord]) -> dict[str, list[str]]:
    return {name: sorted({str(getattr(r, name)) for r in records}) for name, _ in FILTER_FIELDS}


class Kind(enum.StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    MEAN = "mean"
    DAYS = "days"


@dataclass(frozen=True)
class Value:
    """A measure's figure for one quarter: a count, or a rate/average with the number of families it is over."""

    amount: float
    over: int | None = None  # for a percentage or mean: how many families (or reviews) it is over


@dataclass(frozen=True)
class MeasureDefinition:
    code: str
    label: str
    kind: Kind
    compute: Callable[[Sequence[FamilyRecord], Quarter], Value]
    note: str = ""


@dataclass(frozen=True)
class Section:
    question: str
    measures: tuple[MeasureDefinition, ...]


def _count(predicate: Callable[[FamilyRecord, Quarter], bool]) -> Callable[[Sequence[FamilyRecord], Quarter], Value]:
    return lambda records, quarter: Value(sum(1 for r in records if predicate(r, quarter)))


def _events(
    dates: Callable[[FamilyRecord], Iterable[dt.date]],
) -> Callable[[Sequence[FamilyRecord], Quarter], Value]:
    return lambda records, quarter: Value(sum(1 for r in records for day in dates(r) if quarter.contains(day)))


def _share(
    over: Callable[[FamilyRecord, Quarter], Iterable[bool]],
) -> Callable[[Sequence[FamilyRecord], Quarter], Value]:
    def compute(records: Sequence[FamilyRecord], quarter: Quarter) -> Value:
        flags = [flag for r in records for flag in over(r, quarter)]
        return Value(100 * sum(flags) / len(flags) if flags else 0.0, len(flags))

    return compute


def reviews_on_time(r: FamilyRecord, q: Quarter) -> list[bool]:
    return [held <= due for due, held in r.reviews if q.contains(held)]


def _signed(r: FamilyRecord, q: Quarter) -> list[bool]:
    return [r.agreement_signed_on is not None] if q.contains(r.plan_agreed_on) else []


def _multi_agency(r: FamilyRecord, q: Quarter) -> bool:
    return (
        r.is_open_during(q)
        and r.plan_agreed_on is not None
        and r.plan_agreed_on <= q.ends_on
        and (len(r.goal_agencies) >= 2)
    )


def mean_distance(records: Sequence[FamilyRecord], quarter: Quarter) -> Value:
    """Aggregated distance travelled: the average, over families worked with in the quarter and reviewed by its end,
    of baseline minus latest review (key worker's scores; positive is less need)."""
    values = [d for r in records if r.is_open_during(quarter) and (d := r.distance_by(quarter.ends_on)) is not None]
    return Value(sum(values) / len(values) if values else 0.0, len(values))


def _less_need(r: FamilyRecord, q: Quarter) -> list[bool]:
    if not r.is_open_during(q):
        return []
    travelled = r.distance_by(q.ends_on)
    return [] if travelled is None else [travelled > 0]


def _plan(result: PlanResult) -> Callable[[Sequence[FamilyRecord], Quarter], Value]:
    return _count(lambda r, q: q.contains(r.closed_on) and r.plan_result is result)


PATHWAY = (
    Section(
        "How much did we do?",
        (
            MeasureDefinition(
                "families_worked_with",
                "Families on the programme",
                Kind.COUNT,
                _count(lambda r, q: r.is_open_during(q)),
                "Families whose case was open on any day of the quarter.",
            ),
            MeasureDefinition(
                "families_started", "Families starting", Kind.COUNT, _count(lambda r, q: q.contains(r.opened_on))
            ),
            MeasureDefinition("assessments", "Whole-family assessments", Kind.COUNT, _events(lambda r: r.assessments)),
            MeasureDefinition(
                "taf_meetings", "Team Around the Family meetings", Kind.COUNT, _events(lambda r: r.taf_meetings)
            ),
            MeasureDefinition(
                "multi_agency",
                "Families with a multi-agency package of support",
                Kind.COUNT,
                _count(_multi_agency),
                "Open families whose plan has goals for two or more agencies.",
            ),
            MeasureDefinition(
                "re_referrals",
                "Re-referrals",
                Kind.COUNT,
                _count(lambda r, q: r.is_re_referral and q.contains(r.opened_on)),
                "Families starting again after an earlier case closed.",
            ),
        ),
    ),
    Section(
        "How well did we do it?",
        (
            MeasureDefinition(
                "reviews_on_time",
                "Reviews held on time",
                Kind.PERCENT,
                _share(reviews_on_time),
                "Reviews held in the quarter on or before the day they were due.",
            ),
            MeasureDefinition(
                "agreements_signed",
                "Plans with a signed family agreement",
                Kind.PERCENT,
                _share(_signed),
                "Plans agreed in the quarter that the family signed.",
            ),
        ),
    ),
    Section(
        "Is anyone better off?",
        (
            MeasureDefinition(
                "mean_distance",
                "Average distance travelled",
                Kind.MEAN,
                mean_distance,
                "Baseline score minus the latest review's (1 none to 5 critical): positive is less need.",
            ),
            MeasureDefinition(
                "less_need",
                "Families with less need than at the baseline",
                Kind.PERCENT,
                _share(_less_need),
            ),
            MeasureDefinition(
                "families_closed", "Families finishing", Kind.COUNT, _count(lambda r, q: q.contains(r.closed_on))
            ),
            *(MeasureDefinition(result.value, result.label, Kind.COUNT, _plan(result)) for result in PlanResult),
            MeasureDefinition(
                "step_up",
                "Referred on to specialist services",
                Kind.COUNT,
                _count(lambda r, q: q.contains(r.closed_on) and r.destination == STEP_UP),
                "Families whose case closed stepping up to social care.",
            ),
        ),
    ),
)


def _key_worker_measures(measures: Sequence[MeasureDefinition]) -> tuple[MeasureDefinition, ...]:
    """The same measures over the families who have had a key worker."""
    return tuple(MeasureDefinition(m.code, m.label, m.kind, _over_allocated(m.compute), m.note) for m in measures)


def _over_allocated(
    compute: Callable[[Sequence[FamilyRecord], Quarter], Value],
) -> Callable[[Sequence[FamilyRecord], Quarter], Value]:
    return lambda records, quarter: compute([r for r in records if r.allocations], quarter)


KEY_WORKER = (
    Section(
        "How much did we do?",
        (
            MeasureDefinition(
                "families_with_key_worker",
                "Families with a key worker",
                Kind.COUNT,
                _count(lambda r, q: r.had_key_worker_during(q)),
                "Families with a key worker allocated on any day of the quarter.",
            ),
            MeasureDefinition(
                "allocations",
                "Families allocated a key worker",
                Kind.COUNT,
                _events(lambda r: (start for start, _ in r.allocations)),
            ),
            *_key_worker_measures(
                [m for m in PATHWAY[0].measures if m.code in {"assessments", "taf_meetings", "multi_agency"}]
            ),
        ),
    ),
    Section("How well did we do it?", _key_worker_measures(PATHWAY[1].measures)),
    Section(
        "Is anyone better off?",
        _key_worker_measures([m for m in PATHWAY[2].measures if m.code != "families_closed"]),
    ),
)

ELEMENTS = {"pathway": ("The whole pathway", PATHWAY), "key_worker": ("The key worker element", KEY_WORKER)}


def breakdown(records: Sequence[FamilyRecord], quarter: Quarter, dimension: str) -> tuple[list[str], list[list[int]]]:
    """Families finishing in the quarter by `dimension` (rows) and plan result (columns): the table Appendix E asks
    for, "aggregated progress against family plans by tier of need and other characteristics"."""
    closed = [r for r in records if quarter.contains(r.closed_on)]
    groups = sorted({str(getattr(r, dimension)) for r in closed})
    counts = [
        [
            sum(1 for r in closed if str(getattr(r, dimension)) == group and r.plan_result is result)
            for result in PlanResult
        ]
        for group in groups
    ]
    return groups, counts


def time_with_families(records: Sequence[FamilyRecord], quarter: Quarter) -> tuple[list[str], list[int]]:
    """Families finishing in the quarter by how long they had a key worker (Appendix E, key worker element)."""
    bands = [label for _, label in TIME_BANDS]
    finished = [r.time_band() for r in records if quarter.contains(r.closed_on)]
    return bands, [sum(1 for band in finished if band == label) for label in bands]
