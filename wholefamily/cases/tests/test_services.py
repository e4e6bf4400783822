"""Services: the pathway from cohort or referral to closure, each step with its case event and audit event."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from wholefamily.cases import services
from wholefamily.cases.models import Allocation, BudgetLine, Case, CaseEvent, Consent, Goal, Member, Plan, Review
from wholefamily.cases.tests.builders import TODAY, all_scores
from wholefamily.domain.pathway import (
    Destination,
    EventCode,
    GatekeepingDecision,
    LedgerStatus,
    MemberRole,
    ReferralSource,
    Stage,
    add_months,
)
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def codes(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("code", flat=True))


def audited(action: str, case_or_obj: object) -> bool:
    return AuditEvent.objects.filter(action=f"cases.{action}", object_id=str(case_or_obj.pk)).exists()  # type: ignore[attr-defined]


def test_cohort_family_walks_the_whole_pathway(new_family, manager, worker):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    assert case.reference == f"F-{case.pk:06d}"
    assert case.key_worker == worker
    assert case.plan_agreed_on == TODAY
    assert case.next_review_due_on == add_months(TODAY, 1)  # one month after the plan
    held_on = TODAY + timedelta(days=33)
    review = services.record_review(
        case=case, held_on=held_on, progress="Attendance up", outcome=Review.Outcome.CONTINUE, by=worker
    )
    case.refresh_from_db()
    assert review.due_on == add_months(TODAY, 1)
    assert case.stage_enum is Stage.PLAN_ACTIVE
    assert case.next_review_due_on == add_months(held_on, 3)  # quarterly after
    services.close_case(
        case=case,
        destination=Destination.OUTCOMES_ACHIEVED,
        reason="Goals met",
        closed_on=TODAY + timedelta(days=200),
        by=manager,
    )
    case.refresh_from_db()
    assert case.stage_enum is Stage.CLOSED
    assert case.closure_destination == Destination.OUTCOMES_ACHIEVED
    assert case.next_review_due_on is None
    assert Allocation.objects.get(case=case).ended_at is not None
    assert codes(case) == [
        EventCode.CASE_OPENED,
        EventCode.MEMBER_ADDED,
        EventCode.MEMBER_ADDED,
        EventCode.STAGE_CHANGED,
        EventCode.STAGE_CHANGED,
        EventCode.STAGE_CHANGED,
        EventCode.ALLOCATED,
        EventCode.STAGE_CHANGED,
        EventCode.ASSESSMENT_RECORDED,
        EventCode.STAGE_CHANGED,
        EventCode.PLAN_AGREED,
        EventCode.STAGE_CHANGED,
        EventCode.STAGE_CHANGED,
        EventCode.REVIEW_HELD,
        EventCode.STAGE_CHANGED,
        EventCode.CASE_CLOSED,
    ]
    for action in ("open_case", "move_case", "allocate", "close_case"):
        assert audited(action, case), action
    assert audited("record_review", review)  # the review is the object written (ids differ on PostgreSQL)


def test_case_events_are_append_only(new_family):
    event = CaseEvent.objects.filter(case=new_family()).first()
    event.summary = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_a_key_worker_may_not_allocate_or_close(new_family, worker):
    case = new_family()
    with pytest.raises(services.CaseError, match="Your role cannot allocate"):
        services.allocate_case(case=case, worker=worker, by=worker)
    with pytest.raises(services.CaseError, match="Your role cannot close"):
        services.close_case(case=case, destination=Destination.OTHER, reason="x", closed_on=date.today(), by=worker)
    case.refresh_from_db()
    assert case.stage_enum is Stage.AWAITING_ALLOCATION


def test_another_teams_manager_cannot_touch_the_case(new_family, outsider):
    case = new_family()
    with pytest.raises(PermissionDenied):
        services.move_case(case=case, to=Stage.CLOSED, by=outsider)
    with pytest.raises(PermissionDenied):
        services.allocate_case(case=case, worker=outsider, by=outsider)
    assert AuditEvent.objects.filter(actor=outsider, outcome="denied", object_id=str(case.pk)).count() == 2


def test_key_worker_cannot_change_a_colleagues_family(new_family, worker, colleague):
    case = new_family(Stage.ALLOCATED, worker=colleague)
    with pytest.raises(PermissionDenied):
        services.record_assessment(case=case, assessed_on=date(2026, 1, 1), summary="x", scores=all_scores(), by=worker)


def test_allocation_respects_the_caseload_limit_unless_overridden(new_family, manager, worker, north):
    north.caseload_limit = 1
    north.save()
    new_family(Stage.ALLOCATED, worker=worker)
    second = new_family()
    with pytest.raises(services.CaseError, match="already holds 1 families, the team's limit of 1"):
        services.allocate_case(case=second, worker=worker, by=manager)
    services.allocate_case(case=second, worker=worker, allow_over_limit=True, by=manager)
    assert services.open_caseload_count(worker) == 2


def test_allocation_only_to_a_key_worker_of_the_team(new_family, manager, outsider):
    with pytest.raises(services.CaseError, match="is not a key worker in Northmoor"):
        services.allocate_case(case=new_family(), worker=outsider, by=manager)


def test_reassignment_needs_a_reason_and_keeps_history(new_family, manager, worker, colleague):
    case = new_family(Stage.ASSESSMENT, worker=worker)
    with pytest.raises(services.CaseError, match="reason"):
        services.allocate_case(case=case, worker=colleague, by=manager)
    services.allocate_case(case=case, worker=colleague, reason="Kim is on leave", by=manager)
    case.refresh_from_db()
    assert case.key_worker == colleague and case.stage_enum is Stage.ASSESSMENT
    first, second = Allocation.objects.filter(case=case).order_by("id")
    assert first.worker == worker and first.ended_at is not None
    assert second.worker == colleague and second.reason == "Kim is on leave" and second.ended_at is None
    assert CaseEvent.objects.filter(case=case, code=EventCode.REASSIGNED).exists()


def test_return_to_waiting_list(new_family, manager, worker):
    case = new_family(Stage.ALLOCATED, worker=worker)
    services.return_to_waiting_list(case=case, reason="Worker left", by=manager)
    case.refresh_from_db()
    assert case.stage_enum is Stage.AWAITING_ALLOCATION and case.key_worker is None and case.waiting_since_at


def test_move_case_refuses_special_and_unknown_transitions(new_family, manager):
    case = new_family()
    with pytest.raises(services.CaseError, match="Use 'Allocate a key worker'"):
        services.move_case(case=case, to=Stage.ALLOCATED, by=manager)
    with pytest.raises(services.CaseError, match="cannot move from awaiting allocation to review"):
        services.move_case(case=case, to=Stage.REVIEW, by=manager)


def test_plan_needs_an_assessment_first(new_family, worker):
    case = new_family(Stage.ALLOCATED, worker=worker)
    with pytest.raises(services.CaseError, match="Record the whole-family assessment"):
        services.agree_plan(case=case, aims="x", agreed_on=date(2026, 1, 1), by=worker)


def test_assessment_must_score_every_domain(new_family, worker):
    case = new_family(Stage.ALLOCATED, worker=worker)
    scores = all_scores()
    scores.popitem()
    with pytest.raises(services.CaseError, match="Score every domain"):
        services.record_assessment(case=case, assessed_on=date(2026, 1, 1), summary="x", scores=scores, by=worker)
    with pytest.raises(services.CaseError, match="Score every domain"):
        services.record_assessment(
            case=case, assessed_on=date(2026, 1, 1), summary="x", scores=all_scores(score=9), by=worker
        )


def test_review_recommending_closure_leaves_the_case_in_review(new_family, worker):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    services.record_review(
        case=case, held_on=TODAY, progress="Done", outcome=Review.Outcome.RECOMMEND_CLOSURE, by=worker
    )
    case.refresh_from_db()
    assert case.stage_enum is Stage.REVIEW


def test_referral_gatekeeping_accept_opens_a_case_linked_to_the_earlier_one(new_family, manager, worker, north):
    earlier = new_family(household="H-77")
    services.close_case(
        case=earlier, destination=Destination.DISENGAGED, reason="No contact", closed_on=date.today(), by=manager
    )
    referral = services.record_referral(
        team=north,
        source=ReferralSource.SCHOOL,
        referrer="Head teacher, Northmoor Primary",
        received_on=date(2026, 3, 1),
        family_name="the Test family",
        household_id="H-77",
        reason="Attendance below 80%",
        priority=1,
        by=worker,
    )
    with pytest.raises(PermissionDenied):
        services.decide_referral(referral=referral, decision=GatekeepingDecision.ACCEPT, reason="Need", by=worker)
    referral = services.decide_referral(
        referral=referral, decision=GatekeepingDecision.ACCEPT, reason="Meets the threshold", by=manager
    )
    case = referral.case
    assert case.stage_enum is Stage.INFORMATION_GATHERING and case.priority == 1
    assert case.previous_case == earlier
    with pytest.raises(services.CaseError, match="already been decided"):
        services.decide_referral(referral=referral, decision=GatekeepingDecision.SIGNPOST, reason="x", by=manager)


def test_signposted_referral_opens_no_case(manager, north):
    referral = services.record_referral(
        team=north,
        source=ReferralSource.SELF_REFERRAL,
        referrer="Parent",
        received_on=date(2026, 3, 1),
        family_name="the Other family",
        reason="Wants help",
        by=manager,
    )
    services.decide_referral(
        referral=referral, decision=GatekeepingDecision.SIGNPOST, reason="Children's centre", by=manager
    )
    referral.refresh_from_db()
    assert referral.case is None and referral.decision == "signpost"


def test_an_open_household_cannot_be_opened_twice(new_family, manager, north):
    new_family(household="H-1")
    with pytest.raises(services.CaseError, match="already on the programme"):
        services.open_case_from_cohort(
            team=north, household_id="H-1", family_name="x", members=[], evidence_summary="", by=manager
        )


def test_members_change_and_leave_with_reasons_and_history(new_family, worker):
    case = new_family(Stage.ALLOCATED, worker=worker)
    member = case.members.get(person_id="P-2")
    services.change_member(
        member=member,
        expected_version=member.version,
        display_name="Jo Test",
        role=MemberRole.YOUNG_PERSON,
        born_on=None,
        reason="Now 14",
        by=worker,
    )
    services.end_membership(member=member, end_on=TODAY, reason="Moved to live with father", by=worker)
    with pytest.raises(services.CaseError, match="already left"):
        services.end_membership(member=member, end_on=TODAY, reason="x", by=worker)
    member.refresh_from_db()
    assert member.end_on == TODAY and member.role == MemberRole.YOUNG_PERSON
    assert Member.objects.filter(case=case).count() == 2  # the member who left keeps their row
    change = CaseEvent.objects.get(case=case, code=EventCode.MEMBER_CHANGED)
    assert change.detail["before"]["role"] == "child" and change.detail["after"]["role"] == "young_person"
    new = services.add_member(
        case=case,
        details=services.MemberDetails("Baby Test", MemberRole.CHILD),
        start_on=date(2026, 6, 1),
        reason="Born",
        by=worker,
    )
    assert new.is_current


def test_goals_taf_consent_and_notice(new_family, worker):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    plan = case.plan
    member = case.members.first()
    goal = services.add_goal(
        plan=plan,
        expected_version=1,
        member=member,
        description="Jo attends school",
        actions="Walk to school",
        agency="School",
        due_on=date(2026, 4, 1),
        by=worker,
    )
    plan.refresh_from_db()
    assert goal.plan == plan and plan.version == 2
    services.record_taf_meeting(
        case=case,
        held_on=TODAY,
        attendees=[("Kim Worker", "Council"), ("Ms Head", "School")],
        notes="",
        by=worker,
    )
    services.issue_fair_processing_notice(case=case, issued_on=date(2026, 1, 2), method="In person", by=worker)
    services.record_consent(
        case=case,
        member=member,
        purpose="Sharing with health",
        status=Consent.Status.GIVEN,
        recorded_on=date(2026, 1, 2),
        by=worker,
    )
    assert {
        EventCode.GOAL_ADDED,
        EventCode.TAF_MEETING_HELD,
        EventCode.FAIR_PROCESSING_NOTICE_ISSUED,
        EventCode.CONSENT_RECORDED,
    } <= set(codes(case))


def test_budget_ledger_approval_and_balance(new_family, manager, worker, make_staff, north):
    from wholefamily.domain.roles import Role

    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    with pytest.raises(PermissionDenied):
        services.add_budget_funds(case=case, amount_pence=100, description="x", entered_on=date.today(), by=worker)
    services.add_budget_funds(case=case, amount_pence=20_000, description="Budget", entered_on=date.today(), by=manager)
    spend = services.request_budget_spend(
        case=case, amount_pence=15_000, description="School uniform", entered_on=date.today(), by=worker
    )
    too_much = services.request_budget_spend(
        case=case, amount_pence=6_000, description="Bus passes", entered_on=date.today(), by=worker
    )
    assert services.budget_balance_pence(case) == 20_000  # requests do not count
    with pytest.raises(PermissionDenied):
        services.decide_budget_spend(line=spend, is_approved=True, by=worker)
    services.decide_budget_spend(line=spend, is_approved=True, by=manager)
    assert services.budget_balance_pence(case) == 5_000
    with pytest.raises(services.CaseError, match="does not cover"):
        services.decide_budget_spend(line=too_much, is_approved=True, by=manager)
    services.decide_budget_spend(line=too_much, is_approved=False, by=manager)
    assert BudgetLine.objects.get(pk=too_much.pk).status == LedgerStatus.REJECTED
    own = services.request_budget_spend(
        case=case, amount_pence=100, description="x", entered_on=date.today(), by=manager
    )
    with pytest.raises(services.CaseError, match="Another manager"):
        services.decide_budget_spend(line=own, is_approved=True, by=manager)
    other_manager = make_staff("other.manager", Role.TEAM_MANAGER, team=north)
    services.decide_budget_spend(line=own, is_approved=True, by=other_manager)
    assert services.budget_balance_pence(case) == 4_900


def test_role_refusals_are_audited_after_the_rollback(new_family, manager, worker):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    with pytest.raises(PermissionDenied):
        services.add_budget_funds(case=case, amount_pence=100, description="x", entered_on=date.today(), by=worker)
    denied = AuditEvent.objects.get(actor=worker, outcome="denied", object_id=str(case.pk))
    assert denied.detail == {"role": "manager"}
    assert not BudgetLine.objects.filter(case=case).exists()


# --- Goals achieved -----------------------------------------------------------------------------------


def _goal(case: Case, by: object) -> Goal:
    return services.add_goal(
        plan=case.plan,
        expected_version=case.plan.version,
        member=case.members.get(display_name="Jo Test"),
        description="Jo attends school every day",
        actions="Walk to school with Pat",
        agency="School",
        due_on=TODAY + timedelta(days=60),
        by=by,
    )


def test_a_goal_set_earlier_is_dated_the_day_it_was_set(new_family, worker):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    plan = case.plan
    agreed = plan.agreed_on

    def add(on):
        current = Plan.objects.get(case=case)
        return services.add_goal(plan=current, expected_version=current.version, member=None, description="School",
                                 actions="Walk", agency="School", due_on=TODAY + timedelta(days=30), by=worker,
                                 added_on=on)  # fmt: skip

    goal = add(agreed)
    event = CaseEvent.objects.filter(case=case, code=EventCode.GOAL_ADDED).get()
    assert event.detail["goal_id"] == goal.pk and timezone.localtime(event.occurred_at).date() == agreed
    for on, message in ((TODAY + timedelta(days=1), "cannot be in the future"),
                        (agreed - timedelta(days=1), "before")):  # fmt: skip
        with pytest.raises(services.CaseError, match=message):
            add(on)
    assert Goal.objects.filter(plan__case=case).count() == 1


def test_a_goal_is_marked_achieved_then_not_yet_achieved(new_family, worker, manager):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    goal = _goal(case, worker)
    goal = services.record_goal_achievement(
        goal=goal, expected_version=2, is_achieved=True, achieved_on=TODAY, note="Attendance 97% this term", by=worker
    )
    goal.refresh_from_db()
    assert (goal.is_achieved, goal.achieved_on, goal.achievement_note) == (True, TODAY, "Attendance 97% this term")
    assert Plan.objects.get(case=case).version == 3  # a change of the plan, like any other
    event = CaseEvent.objects.filter(case=case).order_by("id").last()
    assert event.code == EventCode.GOAL_ACHIEVED and event.by == worker
    assert event.summary == (
        f"Goal for Jo Test achieved on {TODAY:%d %B %Y}: Jo attends school every day (Attendance 97% this term)"
    )
    assert event.detail == {"goal_id": goal.pk, "version": 3}
    assert AuditEvent.objects.get(action="cases.record_goal_achievement", object_id=str(goal.pk)).detail == {
        "is_achieved": True,
        "version": 3,
    }

    # The team manager may change it too; "not yet" clears the date.
    services.record_goal_achievement(
        goal=goal, expected_version=3, is_achieved=False, achieved_on=TODAY, note="Attendance fell again", by=manager
    )
    goal.refresh_from_db()
    assert (goal.is_achieved, goal.achieved_on, goal.achievement_note) == (False, None, "Attendance fell again")
    assert codes(case)[-2:] == [EventCode.GOAL_ACHIEVED, EventCode.GOAL_NOT_YET_ACHIEVED]
    assert AuditEvent.objects.filter(action="cases.record_goal_achievement", actor=manager).count() == 1


@pytest.mark.parametrize(
    ("achieved_on", "message"),
    [
        (None, "Enter the date the goal was achieved"),
        (TODAY + timedelta(days=1), "cannot be in the future"),
        (TODAY - timedelta(days=1), "before the plan was agreed"),
    ],
)
def test_an_achieved_goal_needs_a_date_between_the_plan_and_today(new_family, worker, achieved_on, message):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    goal = _goal(case, worker)
    with pytest.raises(services.CaseError, match=message):
        services.record_goal_achievement(
            goal=goal, expected_version=2, is_achieved=True, achieved_on=achieved_on, note="x", by=worker
        )
    goal.refresh_from_db()
    assert not goal.is_achieved and Plan.objects.get(case=case).version == 2
    assert EventCode.GOAL_ACHIEVED not in codes(case)


def test_only_those_who_may_change_the_case_mark_a_goal(new_family, worker, colleague, outsider):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    goal = _goal(case, worker)
    for other in (colleague, outsider):  # a colleague key worker; another team's manager
        with pytest.raises(PermissionDenied):
            services.record_goal_achievement(
                goal=goal, expected_version=2, is_achieved=True, achieved_on=TODAY, note="x", by=other
            )
        assert AuditEvent.objects.filter(actor=other, outcome="denied", object_id=str(case.pk)).count() == 1
    goal.refresh_from_db()
    assert not goal.is_achieved and Plan.objects.get(case=case).version == 2


def test_a_goal_of_a_closed_case_cannot_change(new_family, worker, manager):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    goal = _goal(case, worker)
    services.close_case(case=case, destination=Destination.OTHER, reason="Moved", closed_on=TODAY, by=manager)
    with pytest.raises(services.CaseError, match="closed"):
        services.record_goal_achievement(
            goal=goal, expected_version=2, is_achieved=True, achieved_on=TODAY, note="x", by=manager
        )


def test_marking_a_goal_from_a_stale_plan_is_refused(new_family, worker, manager):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    goal = _goal(case, worker)
    services.update_plan(plan=case.plan, expected_version=2, aims="New aims", agreement_signed_on=None, by=manager)
    with pytest.raises(services.StalePlanError, match="Maria Manager changed this plan"):
        services.record_goal_achievement(
            goal=goal, expected_version=2, is_achieved=True, achieved_on=TODAY, note="x", by=worker
        )
    goal.refresh_from_db()
    assert not goal.is_achieved and Plan.objects.get(case=case).version == 3
