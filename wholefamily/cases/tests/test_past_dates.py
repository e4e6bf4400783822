"""A case brought with its history (ADR 0011): opened, worked and closed on past days through the same services,
every step dated on its day and audited, and never before the family was identified or referred."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from wholefamily.cases import from_cohort, services
from wholefamily.cases.models import CaseEvent, Review
from wholefamily.cases.tests.builders import all_scores
from wholefamily.cases.tests.conftest import HOUSEHOLD
from wholefamily.domain.pathway import Destination, EventCode, GatekeepingDecision, MemberRole, ReferralSource, Stage
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def _open(north, manager, opened_on):
    members = from_cohort.household_members(HOUSEHOLD, on=opened_on)
    return services.open_case_from_cohort(
        team=north,
        household_id=HOUSEHOLD,
        family_name="the Brook family",
        members=members,
        evidence_summary="Identified",
        programme="supporting-families-2022",
        opened_on=opened_on,
        by=manager,
    )


def _day(event: CaseEvent) -> date:
    return timezone.localtime(event.occurred_at).date()


def test_a_family_worked_with_in_the_past_has_each_step_on_its_day(identified, north, manager, worker):
    case = _open(north, manager, date(2024, 9, 9))
    assert [m.person_id for m in case.members.order_by("person_id")] == ["PAST0000001", "PAST0000002", "PAST0000003"]
    case = services.move_case(case=case, to=Stage.INFORMATION_GATHERING, on=date(2024, 9, 12), by=manager)
    case = services.move_case(case=case, to=Stage.AWAITING_ALLOCATION, on=date(2024, 9, 20), by=manager)
    services.allocate_case(case=case, worker=worker, allocated_on=date(2024, 10, 1), by=manager)
    case.refresh_from_db()
    services.record_assessment(case=case, assessed_on=date(2024, 10, 15), summary="At home", scores=all_scores(),
                               by=worker)  # fmt: skip
    services.agree_plan(case=case, aims="School every day", agreed_on=date(2024, 10, 29), by=worker)
    services.record_review(case=case, held_on=date(2024, 11, 29), progress="Good", outcome=Review.Outcome.CONTINUE,
                           by=worker)  # fmt: skip
    finn = case.members.get(person_id="PAST0000003")
    services.end_membership(member=finn, end_on=date(2025, 3, 14), reason="Moved out", by=worker)
    gus = services.MemberDetails("Gus Brook", MemberRole.CHILD, "PAST0000004", date(2025, 6, 1))
    services.add_member(case=case, details=gus, start_on=date(2025, 6, 1), reason="Born", by=worker)
    services.close_case(case=case, destination=Destination.OUTCOMES_ACHIEVED, reason="Goals met",
                        closed_on=date(2025, 7, 31), by=manager)  # fmt: skip

    case.refresh_from_db()
    assert (case.opened_on, case.plan_agreed_on, case.closed_on) == (date(2024, 9, 9), date(2024, 10, 29),
                                                                      date(2025, 7, 31))  # fmt: skip
    assert timezone.localtime(case.stage_changed_at).date() == date(2025, 7, 31)
    events = list(CaseEvent.objects.filter(case=case).order_by("occurred_at", "id"))
    days = {(event.code, _day(event)) for event in events}
    assert (EventCode.CASE_OPENED, date(2024, 9, 9)) in days
    assert (EventCode.ALLOCATED, date(2024, 10, 1)) in days
    assert (EventCode.ASSESSMENT_RECORDED, date(2024, 10, 15)) in days
    assert (EventCode.PLAN_AGREED, date(2024, 10, 29)) in days
    assert (EventCode.REVIEW_HELD, date(2024, 11, 29)) in days
    assert (EventCode.MEMBER_LEFT, date(2025, 3, 14)) in days
    assert (EventCode.MEMBER_ADDED, date(2025, 6, 1)) in days
    assert (EventCode.CASE_CLOSED, date(2025, 7, 31)) in days
    assert [_day(event) for event in events] == sorted(_day(event) for event in events)  # a chronology in order
    assert case.allocations.get().allocated_at.date() == date(2024, 10, 1)
    audits = AuditEvent.objects.filter(object_id=str(case.pk), action__startswith="cases.")
    assert audits.get(action="cases.open_case").detail["opened_on"] == "2024-09-09"
    assert audits.get(action="cases.close_case").detail["closed_on"] == "2025-07-31"
    assert all(event.occurred_at.date() == timezone.now().date() for event in audits)  # audited when it was recorded


def test_a_family_cannot_come_onto_the_programme_before_it_was_identified(identified, north, manager):
    with pytest.raises(services.CaseError, match="before it was identified \\(31 August 2024\\)"):
        _open(north, manager, date(2024, 8, 30))
    with pytest.raises(services.CaseError, match="cannot be in the future"):
        _open(north, manager, date(2099, 1, 1))


def test_a_past_opening_needs_an_identification_of_the_household(north, manager):
    with pytest.raises(services.CaseError, match="No identification run found this household"):
        services.open_case_from_cohort(team=north, household_id="HNOBODY0001", family_name="x", members=(),
                                       evidence_summary="x", opened_on=date(2024, 9, 9), by=manager)  # fmt: skip


def test_steps_keep_their_order(identified, north, manager, worker):
    case = _open(north, manager, date(2024, 9, 9))
    with pytest.raises(services.CaseError, match="before the family came onto the programme \\(9 September 2024\\)"):
        services.move_case(case=case, to=Stage.INFORMATION_GATHERING, on=date(2024, 9, 1), by=manager)
    case = services.move_case(case=case, to=Stage.INFORMATION_GATHERING, on=date(2024, 9, 20), by=manager)
    with pytest.raises(services.CaseError, match="before the family's last step on the pathway \\(20 September"):
        services.move_case(case=case, to=Stage.AWAITING_ALLOCATION, on=date(2024, 9, 19), by=manager)
    with pytest.raises(services.CaseError, match="last step"):
        services.close_case(case=case, destination=Destination.OTHER, reason="x", closed_on=date(2024, 9, 10),
                            by=manager)  # fmt: skip
    case.refresh_from_db()
    assert case.stage == Stage.INFORMATION_GATHERING and case.closed_on is None


def test_a_referral_decided_in_the_past_opens_the_case_that_day_never_before_it_was_received(north, manager):
    referral = services.record_referral(team=north, source=ReferralSource.SCHOOL, referrer="Head teacher",
                                        received_on=date(2025, 2, 3), family_name="the Hart family",
                                        reason="Attendance", by=manager)  # fmt: skip
    with pytest.raises(services.CaseError, match="before the referral was received \\(3 February 2025\\)"):
        services.decide_referral(referral=referral, decision=GatekeepingDecision.ACCEPT, reason="Meets criteria",
                                 decided_on=date(2025, 2, 1), by=manager)  # fmt: skip
    decided = services.decide_referral(referral=referral, decision=GatekeepingDecision.ACCEPT,
                                       reason="Meets criteria", decided_on=date(2025, 2, 10), by=manager)  # fmt: skip
    assert decided.case is not None and decided.case.opened_on == date(2025, 2, 10)
    assert timezone.localtime(decided.decided_at).date() == date(2025, 2, 10)
