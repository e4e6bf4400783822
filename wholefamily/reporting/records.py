"""Each family's facts for the report cards and monitoring, read in a few queries from the case, plan, review,
allocation and distance-travelled records of the families the user may count (ADR 0002: aggregate reads are scoped
with `is_personal=False`, so a commissioner counts every family and sees none)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from wholefamily.cases.models import (
    Allocation,
    Assessment,
    Case,
    Goal,
    Member,
    Plan,
    Referral,
    Review,
    TafAttendee,
    TafMeeting,
)
from wholefamily.domain.outcomes import distance, report
from wholefamily.domain.pathway import REFERRAL_SOURCE_LABELS, MemberRole, Origin, ReferralSource
from wholefamily.domain.reporting.card import NOT_ALLOCATED, FamilyRecord
from wholefamily.domain.reporting.monitoring import ReferralRecord
from wholefamily.governance import access
from wholefamily.governance.models import StaffProfile
from wholefamily.identification.models import CohortFamily
from wholefamily.outcomes.definitions import report_card_definition
from wholefamily.outcomes.models import DistanceAssessment, DistanceScore
from wholefamily.web.labels import label_for

AnyUser = AbstractBaseUser | AnonymousUser
IDENTIFIED = "Identified from agency data"


def _day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def counted_cases(*, for_user: AnyUser) -> list[Case]:
    return list(access.scope(for_user, Case.objects.select_related("team"), team_field="team", is_personal=False))


def _make_up(parents: int) -> str:
    if parents == 0:
        return "No parent or carer recorded"
    return "Lone parent or carer" if parents == 1 else "Two or more parents or carers"


def _distances(case_ids: list[int]) -> tuple[dict[int, float], dict[int, list[tuple[dt.date, float]]]]:
    """Each family's baseline mean score and, per later time point, its distance travelled (key worker's scores)."""
    points: dict[int, dict[int, tuple[dt.date, dict[tuple[str, str], int]]]] = defaultdict(dict)
    rows = DistanceScore.objects.filter(
        assessment__case_id__in=case_ids, assessment__assessor=DistanceAssessment.Assessor.KEY_WORKER
    ).values_list(
        "assessment__case_id", "assessment__time_point", "assessment__assessed_on", "member_id", "item", "score"
    )
    for case_id, time_point, assessed_on, member_id, item, score in rows.iterator(chunk_size=20_000):
        points[case_id].setdefault(time_point, (assessed_on, {}))[1][(str(member_id), item)] = score
    baselines: dict[int, float] = {}
    travelled: dict[int, list[tuple[dt.date, float]]] = {}
    for case_id, by_point in points.items():
        if 0 not in by_point:
            continue
        baseline = by_point[0][1]
        mean = distance.mean_score(baseline.values())
        if mean is not None:
            baselines[case_id] = mean
        for time_point, (assessed_on, scores) in by_point.items():
            if time_point == 0:
                continue
            value = report.family_distance(baseline, scores)
            if value is not None:
                travelled.setdefault(case_id, []).append((assessed_on, value))
    return baselines, travelled


def _problems(households: set[str]) -> dict[str, tuple[str, ...]]:
    """The headline problems each household met at its latest identification (labels), for presenting issues."""
    found: dict[str, tuple[str, ...]] = {}
    rows = (
        CohortFamily.objects.filter(household_id__in=households, is_qualifying=True)
        .order_by("run__as_of_on", "run_id")
        .values_list("household_id", "problems_met")
    )
    for household_id, problems_met in rows.iterator(chunk_size=20_000):
        found[household_id] = tuple(label_for(code) for code in problems_met.split(";") if code)
    return found


def referral_records(*, for_user: AnyUser) -> list[ReferralRecord]:
    """Each referral the user may count: area, route, when received and decided, and the decision."""
    referrals = access.scope(for_user, Referral.objects.select_related("team"), team_field="team", is_personal=False)
    return [
        ReferralRecord(
            district=referral.team.district or "Not recorded",
            agency=REFERRAL_SOURCE_LABELS[ReferralSource(referral.source)],
            received_on=referral.received_on,
            decided_on=_day(referral.decided_at) if referral.decided_at else None,
            decision=referral.decision,
            decision_label=label_for(referral.decision) if referral.decision else "",
        )
        for referral in referrals.only("team__district", "source", "received_on", "decided_at", "decision")
    ]


def family_records(*, for_user: AnyUser) -> list[FamilyRecord]:
    """One `FamilyRecord` per family the user may count."""
    cases = counted_cases(for_user=for_user)
    ids = [case.pk for case in cases]
    definition = report_card_definition()
    youngest: dict[int, dt.date] = {}
    parents: dict[int, int] = defaultdict(int)
    for case_id, role, born_on, end_on in Member.objects.filter(case_id__in=ids).values_list(
        "case_id", "role", "born_on", "end_on"
    ):
        if role in (MemberRole.CHILD, MemberRole.YOUNG_PERSON) and born_on is not None:
            youngest[case_id] = max(born_on, youngest.get(case_id, born_on))
        if role == MemberRole.PARENTING_ADULT and end_on is None:
            parents[case_id] += 1
    sources = dict(Referral.objects.filter(case_id__in=ids).values_list("case_id", "source"))
    spells: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for case_id, allocated_worker, allocated_at, ended_at in Allocation.objects.filter(case_id__in=ids).values_list(
        "case_id", "worker_id", "allocated_at", "ended_at"
    ):
        spells[case_id].append((_day(allocated_at), _day(ended_at) if ended_at else None, allocated_worker))
    assessments: dict[int, list[dt.date]] = defaultdict(list)
    for case_id, on in Assessment.objects.filter(case_id__in=ids).values_list("case_id", "assessed_on"):
        assessments[case_id].append(on)
    agencies_at: dict[int, set[str]] = defaultdict(set)
    for meeting_id, agency in TafAttendee.objects.filter(meeting__case_id__in=ids).values_list("meeting_id", "agency"):
        if agency.strip():
            agencies_at[meeting_id].add(agency.strip().lower())
    meetings: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)
    for meeting_id, case_id, on in TafMeeting.objects.filter(case_id__in=ids).values_list("id", "case_id", "held_on"):
        meetings[case_id].append((on, len(agencies_at.get(meeting_id, ())) >= 2))
    reviews: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for case_id, due_on, held_on in Review.objects.filter(case_id__in=ids).values_list("case_id", "due_on", "held_on"):
        reviews[case_id].append((due_on, held_on))
    plans = {
        case_id: (agreed, signed)
        for case_id, agreed, signed in Plan.objects.filter(case_id__in=ids).values_list(
            "case_id", "agreed_on", "agreement_signed_on"
        )
    }
    goals: dict[int, list[bool]] = defaultdict(list)
    agencies: dict[int, set[str]] = defaultdict(set)
    for case_id, achieved, agency in Goal.objects.filter(plan__case_id__in=ids).values_list(
        "plan__case_id", "is_achieved", "agency"
    ):
        goals[case_id].append(achieved)
        if agency.strip():
            agencies[case_id].add(agency.strip().lower())
    titles = dict(StaffProfile.objects.values_list("user_id", "job_title"))
    baselines, travelled = _distances(ids)
    problems = _problems({case.household_id for case in cases if case.household_id})
    records = []
    for case in cases:
        own = sorted(spells.get(case.pk, []))
        worker_id: int | None = case.key_worker_id or (own[-1][2] if own else None)
        source = sources.get(case.pk)
        agreed, signed = plans.get(case.pk, (None, None))
        records.append(
            FamilyRecord(
                case_id=case.pk,
                district=case.team.district or "Not recorded",
                age_group=definition.age_group(youngest.get(case.pk), case.opened_on),
                tier=definition.tier(baselines.get(case.pk)),
                characteristic=_make_up(parents.get(case.pk, 0)),
                instigator=REFERRAL_SOURCE_LABELS[ReferralSource(source)]
                if source and case.origin == Origin.REFERRAL
                else IDENTIFIED,
                key_worker_type=(titles.get(worker_id) or "Not recorded") if worker_id else NOT_ALLOCATED,
                opened_on=case.opened_on,
                closed_on=case.closed_on,
                destination=case.closure_destination,
                is_re_referral=case.previous_case_id is not None,
                allocations=tuple((start, end) for start, end, _ in own),
                assessments=tuple(assessments.get(case.pk, ())),
                taf_meetings=tuple(on for on, _ in meetings.get(case.pk, ())),
                multi_agency_meetings=tuple(multi for _, multi in meetings.get(case.pk, ())),
                problems=problems.get(case.household_id, ()),
                household_id=case.household_id,
                reviews=tuple(reviews.get(case.pk, ())),
                plan_agreed_on=agreed,
                agreement_signed_on=signed,
                goals_achieved=tuple(goals.get(case.pk, ())),
                goal_agencies=frozenset(agencies.get(case.pk, ())),
                distances=tuple(sorted(travelled.get(case.pk, ()))),
            )
        )
    return records
