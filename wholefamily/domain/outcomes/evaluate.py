"""Pure evaluation of an outcomes framework's measures for one family: has it made "significant and sustained
progress" against a headline problem (Together for Families update (Cambridgeshire, 2014), s3.1 and s4.1), with the
evidence behind each value.

The rules, and the choices where the sources are open (each also written in the framework files):
- The period is the measure's window ending on the evaluation date (months: the last N calendar months; terms: the
  last N completed school terms, identification's window arithmetic). It must lie wholly after the intervention
  started; until it does the result is NOT_YET.
- Members measured are those in the family on the start date who match the measure's subject (age on the start
  date) and had the problem then (`had_problem`: the engine reads it from the same records over the same period
  ending the day before the start; a problem judged on the family as a whole marks every member). Nobody with the
  problem: NOT_APPLICABLE (the records that would show the problem are the ones identification read).
- For the members measured, agency data that stops before the period ends makes the result MISSING, never ACHIEVED:
  no records is not the same as no problem when nothing was delivered.
- A member who left the family before the period ended is LEFT: reported, not counted either way. If every member
  measured left, the family's result is MISSING.
- The family's result is NOT_ACHIEVED if any member's is; else MISSING if any member's is; else ACHIEVED.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from wholefamily.domain.criteria.schema import Absence, Subject
from wholefamily.domain.criteria.windows import (
    MonthsWindow,
    TermCalendar,
    TermsWindow,
    birth_date_cutoff,
    months_after,
    months_before,
)
from wholefamily.domain.outcomes.framework import MeasureRule, OutcomeMeasure


class Status(enum.StrEnum):
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    NOT_YET = "not_yet"  # the period after the start is not over
    MISSING = "missing"  # data needed is missing: never read as success
    NOT_APPLICABLE = "not_applicable"  # nobody to measure (the family did not have the problem, or no baseline)
    LEFT = "left"  # member level: left the family before the period ended

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ACHIEVED: "Significant and sustained progress",
    Status.NOT_ACHIEVED: "Not achieved",
    Status.NOT_YET: "Too early to tell",
    Status.MISSING: "Data missing",
    Status.NOT_APPLICABLE: "Not applicable",
    Status.LEFT: "Left the family",
}


@dataclass(frozen=True)
class Record:
    """One agency record a measure reads: an event (on) or a spell (on .. end_on); ref names the source row."""

    on: dt.date
    ref: str
    end_on: dt.date | None = None


@dataclass(frozen=True)
class TermAttendance:
    academic_year: int
    term: str
    possible: int
    authorised: int
    unauthorised: int
    ref: str


@dataclass(frozen=True)
class MemberData:
    person_id: str
    label: str
    born_on: dt.date | None
    joined_on: dt.date | None = None
    left_on: dt.date | None = None
    had_problem: bool = False
    records: tuple[Record, ...] = ()
    attendance: tuple[TermAttendance, ...] = ()
    review_scores: tuple[int | None, ...] = ()  # distance travelled at R1, R2, ... (the baseline left out)
    baseline_score: int | None = None  # distance travelled at the baseline


@dataclass(frozen=True)
class MemberResult:
    person_id: str
    label: str
    status: Status
    value: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeasureResult:
    measure: str
    problem: str
    status: Status
    reason: str
    period_from: dt.date | None
    period_to: dt.date | None
    members: tuple[MemberResult, ...] = ()


def period_bounds(
    measure: OutcomeMeasure, as_of: dt.date, calendar: TermCalendar
) -> tuple[dt.date, dt.date] | tuple[None, None]:
    if isinstance(measure.period, MonthsWindow):
        return measure.period.bounds(as_of)
    if isinstance(measure.period, TermsWindow):
        return measure.period.bounds(as_of, calendar)
    return None, None


def _in_family(member: MemberData, on: dt.date) -> bool:
    return (member.joined_on is None or member.joined_on <= on) and (member.left_on is None or member.left_on >= on)


def _matches(subject: Subject, born_on: dt.date | None, on: dt.date) -> bool:
    if subject.min_age is None and subject.max_age is None:
        return True
    if born_on is None:
        return False  # age unknown: cannot be placed in an age-bound subject
    if subject.min_age is not None and born_on > birth_date_cutoff(on, subject.min_age):
        return False
    return subject.max_age is None or born_on > birth_date_cutoff(on, subject.max_age + 1)


def measured_members(measure: OutcomeMeasure, members: Sequence[MemberData], start_on: dt.date) -> list[MemberData]:
    return [
        m
        for m in members
        if m.had_problem and _in_family(m, start_on) and _matches(measure.subject, m.born_on, start_on)
    ]


def _attendance(measure: OutcomeMeasure, member: MemberData, as_of: dt.date, calendar: TermCalendar) -> MemberResult:
    assert isinstance(measure.period, TermsWindow)
    terms = measure.period.term_list(as_of, calendar)
    rows = {(row.academic_year, row.term): row for row in member.attendance}
    chosen = [rows.get((term.academic_year, term.code)) for term in terms]
    missing = [
        f"{t.code} {t.academic_year}" for t, row in zip(terms, chosen, strict=True) if not row or not row.possible
    ]
    if missing:
        return MemberResult(member.person_id, member.label, Status.MISSING, f"no attendance for {', '.join(missing)}")
    present = [row for row in chosen if row is not None]
    possible = sum(row.possible for row in present)
    is_total = measure.records is not None and measure.records.absence is Absence.TOTAL
    absent = sum(row.unauthorised + (row.authorised if is_total else 0) for row in present)
    basis_points = int(measure.threshold_percent * 100)
    status = Status.ACHIEVED if absent * 10000 < possible * basis_points else Status.NOT_ACHIEVED
    value = f"{absent} of {possible} sessions missed ({100 * absent / possible:.1f}%)"
    return MemberResult(member.person_id, member.label, status, value, tuple(row.ref for row in present))


def _events(
    measure: OutcomeMeasure, member: MemberData, low: dt.date, high: dt.date, start_on: dt.date
) -> MemberResult:
    during = [r for r in member.records if low <= r.on <= high]
    if measure.rule is MeasureRule.NO_EVENTS:
        status = Status.NOT_ACHIEVED if during else Status.ACHIEVED
        value = f"{len(during)} in the period"
        return MemberResult(member.person_id, member.label, status, value, tuple(r.ref for r in during))
    if measure.rule is MeasureRule.FEWER_THAN:
        status = Status.ACHIEVED if len(during) < measure.max_count else Status.NOT_ACHIEVED
        value = f"{len(during)} in the period (fewer than {measure.max_count} needed)"
        return MemberResult(member.person_id, member.label, status, value, tuple(r.ref for r in during))
    assert isinstance(measure.period, MonthsWindow)
    before_low, before_high = measure.period.bounds(start_on - dt.timedelta(days=1))
    before = [r for r in member.records if before_low <= r.on <= before_high]
    evidence = tuple(r.ref for r in (*before, *during))
    value = f"{len(during)} in the period, {len(before)} in the {measure.period.months} months before the start"
    if not before and member.had_problem:
        # Found by an earlier record of the baseline (identification looks back further than the comparison):
        # a fall from none in the comparison months cannot be shown, so progress is none in the period.
        status = Status.NOT_ACHIEVED if during else Status.ACHIEVED
        return MemberResult(member.person_id, member.label, status, value + " (none allowed)", evidence)
    if not before:
        return MemberResult(member.person_id, member.label, Status.NOT_APPLICABLE, value, evidence)
    is_fewer = len(during) * 100 <= len(before) * (100 - measure.reduction_percent)
    return MemberResult(
        member.person_id, member.label, Status.ACHIEVED if is_fewer else Status.NOT_ACHIEVED, value, evidence
    )


def _spells(member: MemberData, low: dt.date, high: dt.date) -> MemberResult:
    open_ = [r for r in member.records if r.on <= high and (r.end_on is None or r.end_on >= low)]
    status = Status.NOT_ACHIEVED if open_ else Status.ACHIEVED
    value = f"{len(open_)} spell(s) open in the period"
    return MemberResult(member.person_id, member.label, status, value, tuple(r.ref for r in open_))


def _distance(measure: OutcomeMeasure, member: MemberData) -> MemberResult:
    scored = [s for s in member.review_scores if s is not None]
    if len(scored) < 2:
        return MemberResult(member.person_id, member.label, Status.MISSING, f"{len(scored)} review(s) scored")
    last_two = scored[-2:]
    status = Status.ACHIEVED if all(s <= measure.max_score for s in last_two) else Status.NOT_ACHIEVED
    return MemberResult(member.person_id, member.label, status, f"last two reviews scored {last_two[0]}, {last_two[1]}")


def had_problem_at_start(
    measure: OutcomeMeasure, member: MemberData, start_on: dt.date, calendar: TermCalendar
) -> bool:
    """Whether the member's own records fail the measure over its baseline (the measure's `baseline:`, by default its
    period) ending the day before the start (for fewer_events: any record in it; for fewer_than: max_count or more;
    attendance: the same terms and threshold); for distance travelled, a baseline score above max_score."""
    if measure.rule is MeasureRule.DISTANCE_TRAVELLED:
        return member.baseline_score is not None and member.baseline_score > measure.max_score
    day_before = start_on - dt.timedelta(days=1)
    if measure.rule is MeasureRule.ATTENDANCE_BELOW:
        return _attendance(measure, member, day_before, calendar).status is Status.NOT_ACHIEVED
    window = measure.baseline_window
    if isinstance(window, TermsWindow):
        low, high = window.bounds(day_before, calendar)
    else:
        assert isinstance(window, MonthsWindow)
        low, high = window.bounds(day_before)
    if measure.rule is MeasureRule.NO_SPELL:
        return _spells(member, low, high).status is Status.NOT_ACHIEVED
    found = sum(1 for record in member.records if low <= record.on <= high)
    return found >= measure.max_count if measure.rule is MeasureRule.FEWER_THAN else found > 0


def combine(results: Sequence[Status]) -> Status:
    """The family's status from its members' (or a problem's from its measures'): any failure fails, then any
    missing is missing; all achieved is achieved; nothing counted is not applicable."""
    counted = [s for s in results if s not in (Status.NOT_APPLICABLE, Status.LEFT)]
    if not counted:
        return Status.NOT_APPLICABLE
    for status in (Status.NOT_ACHIEVED, Status.MISSING, Status.NOT_YET):
        if status in counted:
            return status
    return Status.ACHIEVED


def evaluate_measure(
    measure: OutcomeMeasure,
    *,
    start_on: dt.date,
    as_of: dt.date,
    members: Sequence[MemberData],
    calendar: TermCalendar,
    covered_to: dt.date | None = None,
) -> MeasureResult:
    """One family's result on one outcome measure as of `as_of` (rules: module docstring)."""
    low, high = period_bounds(measure, as_of, calendar)

    def result(status: Status, reason: str, rows: tuple[MemberResult, ...] = ()) -> MeasureResult:
        return MeasureResult(measure.code, measure.problem, status, reason, low, high, rows)

    if low is not None and low < start_on:
        return result(Status.NOT_YET, f"the {measure.period_label} after the start are not over yet")
    if as_of < start_on:
        return result(Status.NOT_YET, "the intervention has not started")
    chosen = measured_members(measure, members, start_on)
    if not chosen:
        return result(Status.NOT_APPLICABLE, "no member of the family had this problem at the start")
    if measure.records is not None and (covered_to is None or (high is not None and covered_to < high)):
        reached = "no data" if covered_to is None else f"data only to {covered_to:%d %B %Y}"
        return result(Status.MISSING, f"{measure.kind}: {reached}")
    rows = []
    for member in chosen:
        end = high or as_of
        if member.left_on is not None and member.left_on < end:
            rows.append(MemberResult(member.person_id, member.label, Status.LEFT, f"left on {member.left_on:%d %B %Y}"))
        elif measure.rule is MeasureRule.ATTENDANCE_BELOW:
            rows.append(_attendance(measure, member, as_of, calendar))
        elif measure.rule in (MeasureRule.NO_EVENTS, MeasureRule.FEWER_EVENTS, MeasureRule.FEWER_THAN):
            assert low is not None and high is not None
            rows.append(_events(measure, member, low, high, start_on))
        elif measure.rule is MeasureRule.NO_SPELL:
            assert low is not None and high is not None
            rows.append(_spells(member, low, high))
        else:
            rows.append(_distance(measure, member))
    statuses = [row.status for row in rows]
    if statuses and all(status is Status.LEFT for status in statuses):
        return result(Status.MISSING, "every member measured left the family before the period ended", tuple(rows))
    status = combine(statuses)
    return result(status, status.label, tuple(rows))


@dataclass(frozen=True)
class MeasurementPoints:
    """Together for Families update (Cambridgeshire, 2014) s4.2: 12 months before the intervention, at its start,
    and up to 12 months after it ended."""

    before_on: dt.date
    start_on: dt.date
    after_on: dt.date | None  # None while the intervention is open
    is_after_complete: bool  # False when the evaluation date falls before the full months after the end


def measurement_points(
    *, start_on: dt.date, end_on: dt.date | None, as_of: dt.date, before_months: int = 12, after_months: int = 12
) -> MeasurementPoints:
    before = months_before(start_on, before_months)
    if end_on is None or end_on > as_of:
        return MeasurementPoints(before, start_on, None, False)
    full = months_after(end_on, after_months)
    return MeasurementPoints(before, start_on, min(full, as_of), full <= as_of)


def point_value(measure: OutcomeMeasure, member: MemberData, on: dt.date, calendar: TermCalendar) -> str:
    """The measure's value over its period ending on `on` (one of the measurement points of
    Together for Families update (Cambridgeshire, 2014), s4.2): the absence share, the number of records, or the
    spells open; "missing" when the data cannot say."""
    if measure.rule is MeasureRule.DISTANCE_TRAVELLED:
        return "" if member.baseline_score is None else f"baseline score {member.baseline_score}"
    if measure.rule is MeasureRule.ATTENDANCE_BELOW:
        row = _attendance(measure, member, on, calendar)
        return "missing" if row.status is Status.MISSING else row.value
    low, high = period_bounds(measure, on, calendar)
    assert low is not None and high is not None
    if measure.rule is MeasureRule.NO_SPELL:
        return _spells(member, low, high).value
    count = sum(1 for record in member.records if low <= record.on <= high)
    return f"{count} in the {measure.period_label} to {on.day} {on:%B %Y}"
