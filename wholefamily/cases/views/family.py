"""The family page and the actions on one family: move, allocate, close, assess, plan, review, members and more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import pyarrow as pa
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wholefamily.cases import agency_events, assessment_definition, selectors, services
from wholefamily.cases.forms import (
    AllocateForm,
    AssessmentForm,
    BudgetForm,
    CloseForm,
    ConsentForm,
    GoalAchievementForm,
    GoalForm,
    MemberChangeForm,
    MemberForm,
    MemberLeaveForm,
    MoveForm,
    NoticeForm,
    PlanForm,
    ReviewForm,
    SpendDecisionForm,
    TafMeetingForm,
)
from wholefamily.cases.lookups import FAMILY_SECTIONS, section_url
from wholefamily.cases.models import Assessment, BudgetLine, CaseEvent, Goal, Member, Plan, Review, TafMeeting
from wholefamily.cases.views.common import case_for, family_url, form_page, posted, signed_in_user
from wholefamily.domain import pathway
from wholefamily.domain.pathway import ALLOCATED_STAGES, Destination, LedgerKind, LedgerLine, LedgerStatus, MemberRole
from wholefamily.domain.roles import Action, Role
from wholefamily.governance import access

GET_POST = ["GET", "POST"]
UNDATED = date(1900, 1, 1)  # agency records without a date sort last
CHRONOLOGY_PAGE_SIZE = 50


@dataclass(frozen=True)
class LedgerRow:
    line: BudgetLine
    balance_pence: int

    @property
    def amount(self) -> str:
        sign = "" if self.line.kind == LedgerKind.FUNDS else "-"
        return sign + pathway.format_pence(self.line.amount_pence)

    @property
    def balance(self) -> str:
        return pathway.format_pence(self.balance_pence)


@dataclass(frozen=True)
class ChronologyItem:
    """One line of the family's timeline: a case event, or a member's agency event from the linked data."""

    when: datetime
    is_agency: bool
    title: str
    text: str


def chronology_items(case_events: list[CaseEvent], members: list[Member]) -> tuple[list[ChronologyItem], bool]:
    """Case events and agency events merged, newest first; and whether the agency events could be read."""
    items = [
        ChronologyItem(
            when=event.occurred_at,
            is_agency=False,
            title=event.get_code_display()
            + (f" by {event.by.get_full_name() or event.by.get_username()}" if event.by else ""),
            text=event.summary,
        )
        for event in case_events
    ]
    try:
        agency = agency_events.agency_events(members)
    except (OSError, pa.ArrowException):
        return items, False
    zone = timezone.get_current_timezone()
    for event in agency:
        when = datetime.combine(event.occurred_on or UNDATED, time.min).replace(tzinfo=zone)
        items.append(ChronologyItem(when, True, f"{event.label}: {event.member_name}", event.detail))
    return sorted(items, key=lambda item: item.when, reverse=True), True


@login_required
def family(request: HttpRequest, pk: int, section: str = "summary") -> HttpResponse:
    """The family record, one sub-page at a time (lookups.FAMILY_SECTIONS): the whole record on one page was too
    long to read."""
    case = case_for(request, int(pk))
    user = signed_in_user(request)
    roles = services.pathway_roles(user)
    may_change = access.check(
        user, Action.CHANGE, case, team_field="team", is_personal=True, worker_field="key_worker"
    ).allowed
    plan = Plan.objects.filter(case=case).select_related("updated_by").first()
    lines = list(case.budget_lines.select_related("requested_by", "decided_by"))
    balances = pathway.running_balances(
        LedgerLine(LedgerKind(line.kind), LedgerStatus(line.status), line.amount_pence) for line in lines
    )
    definition = assessment_definition.load()
    assessments = list(Assessment.objects.filter(case=case).select_related("recorded_by"))
    latest_assessment = assessments[0] if assessments else None
    allowed = pathway.allowed_transitions(case.stage_enum, roles)
    targets = {t.target for t in allowed}
    scores = {s.domain: s.score for s in latest_assessment.scores.all()} if latest_assessment else {}
    transitions = [t for t in allowed if t.name not in pathway.SPECIAL_TRANSITIONS]
    members = list(case.members.all())
    chronology: list[ChronologyItem] = []
    has_agency_events = True
    if section == "chronology":
        chronology, has_agency_events = chronology_items(list(selectors.chronology(case=case)[:200]), members)
    chronology_page = Paginator(chronology[:300], CHRONOLOGY_PAGE_SIZE).get_page(request.GET.get("page", "1")[:10])
    context = {
        "case": case,
        "may_change": may_change and case.is_open,
        "is_manager": bool(roles & pathway.MANAGERS),
        "may_move": may_change and bool(transitions),
        "may_allocate": may_change
        and (pathway.Stage.ALLOCATED in targets or pathway.may_reassign(case.stage_enum, roles)),
        "may_close": may_change and pathway.Stage.CLOSED in targets,
        "may_assess": may_change and case.stage_enum in {*ALLOCATED_STAGES},
        "may_plan": may_change and case.stage_enum is pathway.Stage.ASSESSMENT and plan is None,
        "may_review": may_change and case.stage_enum in pathway.ACTIVE_PLAN_STAGES,
        # Family and partner feedback links (reporting:feedback_new): at reviews and at closure, by the case's team.
        "may_ask_feedback": may_change
        and access.has_role(user, Role.KEY_WORKER, Role.TEAM_MANAGER)
        and (case.stage_enum in pathway.ACTIVE_PLAN_STAGES or not case.is_open),
        "members": members,
        "plan": plan,
        "goals": plan.goals.select_related("member") if plan else [],
        "reviews": case.reviews.select_related("recorded_by"),
        "assessment": latest_assessment,
        "assessment_scores": [
            (domain.label, scores[domain.code], definition.score_label(scores[domain.code]))
            for domain in definition.domains
            if domain.code in scores
        ],
        "assessment_count": len(assessments),
        "meetings": TafMeeting.objects.filter(case=case).prefetch_related("attendees"),
        "notices": case.fair_processing_notices.select_related("issued_by"),
        "consents": case.consents.select_related("member"),
        "ledger": [LedgerRow(line, balance) for line, balance in zip(lines, balances, strict=True)],
        "balance": pathway.format_pence(balances[-1] if balances else 0),
        "chronology": chronology_page,
        "section": section,
        "sections": [(slug, title, section_url(case, slug)) for slug, title in FAMILY_SECTIONS],
        "section_title": dict(FAMILY_SECTIONS)[section],
        "has_agency_events": has_agency_events,
        "allocations": case.allocations.select_related("worker", "allocated_by"),
        "re_referrals": [] if case.is_open else case.re_referrals.all(),  # only a closed case is re-referred
        "today": timezone.localdate(),
        "is_review_overdue": pathway.is_review_overdue(case.next_review_due_on, timezone.localdate()),
    }
    return render(request, "cases/family.html", context)


@login_required
@require_http_methods(GET_POST)
def move(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    transitions = tuple(
        t
        for t in pathway.allowed_transitions(case.stage_enum, services.pathway_roles(user))
        if t.name not in pathway.SPECIAL_TRANSITIONS
    )
    if not transitions:
        raise Http404
    form = MoveForm(posted(request), transitions=transitions)

    def save() -> str:
        services.move_case(
            case=case, to=pathway.Stage(form.cleaned_data["to"]), note=form.cleaned_data["note"], by=user
        )
        return family_url(case)

    return form_page(
        request,
        form=form,
        title="Move the family to the next step",
        submit_text="Move",
        back_url=family_url(case),
        save=save,
        success="The family's stage has been changed.",
        case=case,
        intro=f"The family is at the stage: {case.stage_enum.label.lower()}.",
    )


@login_required
@require_http_methods(GET_POST)
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    is_reassignment = case.stage_enum in ALLOCATED_STAGES
    loads = [load for load in selectors.worker_loads(team=case.team) if load.worker != case.key_worker]
    form = AllocateForm(posted(request), loads=loads, is_reassignment=is_reassignment)

    def save() -> str:
        services.allocate_case(
            case=case,
            worker=form.worker(),
            reason=form.cleaned_data["reason"],
            allow_over_limit=form.cleaned_data["allow_over_limit"],
            by=user,
        )
        return family_url(case)

    intro = (
        f"Currently with {case.key_worker.get_full_name() or case.key_worker.get_username()}."
        if is_reassignment and case.key_worker
        else f"Each worker's open caseload is shown against {case.team.name}'s limit of {case.team.caseload_limit}."
    )
    return form_page(
        request,
        form=form,
        title="Reassign the family" if is_reassignment else "Allocate a key worker",
        submit_text="Reassign" if is_reassignment else "Allocate",
        back_url=family_url(case),
        save=save,
        success="The family has been reassigned." if is_reassignment else "The family has been allocated.",
        case=case,
        intro=intro,
    )


@login_required
@require_http_methods(GET_POST)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    form = CloseForm(posted(request), initial={"closed_on": timezone.localdate()})

    def save() -> str:
        services.close_case(
            case=case,
            destination=Destination(form.cleaned_data["destination"]),
            reason=form.cleaned_data["reason"],
            closed_on=form.cleaned_data["closed_on"],
            by=user,
        )
        return family_url(case)

    return form_page(
        request,
        form=form,
        title="Close the case",
        submit_text="Close the case",
        back_url=family_url(case),
        save=save,
        success="The case has been closed.",
        case=case,
        intro="Closing ends the key worker's allocation. "
        "If the family is referred again, a new case is linked to this one.",
    )


@login_required
@require_http_methods(GET_POST)
def record_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    definition = assessment_definition.load()
    form = AssessmentForm(posted(request), definition=definition, initial={"assessed_on": timezone.localdate()})

    def save() -> str:
        services.record_assessment(
            case=case,
            assessed_on=form.cleaned_data["assessed_on"],
            summary=form.cleaned_data["summary"],
            scores=form.scores(),
            by=user,
        )
        return family_url(case, "assessment")

    scale = ", ".join(f"{score} {label.lower()}" for score, label in definition.scores)
    return form_page(
        request,
        form=form,
        title="Record a whole-family assessment",
        submit_text="Save the assessment",
        back_url=family_url(case),
        save=save,
        success="The assessment has been saved.",
        case=case,
        intro=f"Score each area from 1 to 5: {scale}.",
    )


@login_required
@require_http_methods(GET_POST)
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    existing = Plan.objects.filter(case=case).first()
    if existing is None:
        form = PlanForm(posted(request), is_new=True, initial={"agreed_on": timezone.localdate()})
    else:
        initial = {
            "aims": existing.aims,
            "agreement_signed_on": existing.agreement_signed_on,
            "version": existing.version,
        }
        form = PlanForm(posted(request), is_new=False, initial=initial)

    def save() -> str:
        data = form.cleaned_data
        if existing is None:
            services.agree_plan(
                case=case,
                aims=data["aims"],
                agreed_on=data["agreed_on"],
                agreement_signed_on=data["agreement_signed_on"],
                by=user,
            )
        else:
            services.update_plan(
                plan=existing,
                expected_version=data["version"] or 0,
                aims=data["aims"],
                agreement_signed_on=data["agreement_signed_on"],
                by=user,
            )
        return family_url(case, "plan")

    return form_page(
        request,
        form=form,
        title="Agree the family plan" if existing is None else "Change the family plan",
        submit_text="Save the plan",
        back_url=family_url(case, "plan"),
        save=save,
        success="The family plan has been saved.",
        case=case,
        intro="The first review falls due one month after the plan is agreed." if existing is None else "",
    )


@login_required
@require_http_methods(GET_POST)
def add_goal(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    existing = Plan.objects.filter(case=case).first()
    if existing is None:
        raise Http404
    members = case.members.filter(end_on__isnull=True)
    form = GoalForm(posted(request), members=members, initial={"version": existing.version})

    def save() -> str:
        data = form.cleaned_data
        services.add_goal(
            plan=existing,
            expected_version=data["version"],
            member=data["member"],
            description=data["description"],
            actions=data["actions"],
            agency=data["agency"],
            due_on=data["due_on"],
            by=user,
        )
        return family_url(case, "plan")

    return form_page(
        request,
        form=form,
        title="Add a goal to the plan",
        submit_text="Add the goal",
        back_url=family_url(case, "plan"),
        save=save,
        success="The goal has been added to the plan.",
        case=case,
    )


@login_required
@require_http_methods(GET_POST)
def goal_achievement(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    goal = Goal.objects.filter(pk=goal_pk, plan__case=case).select_related("plan", "member").first()
    if goal is None:
        raise Http404
    was_recorded = goal.is_achieved or bool(goal.achievement_note)
    initial = {
        "version": goal.plan.version,
        "is_achieved": ("yes" if goal.is_achieved else "no") if was_recorded else None,
        "achieved_on": goal.achieved_on or timezone.localdate(),
        "note": goal.achievement_note,
    }
    form = GoalAchievementForm(posted(request), initial=initial)

    def save() -> str:
        data = form.cleaned_data
        services.record_goal_achievement(
            goal=goal,
            expected_version=data["version"],
            is_achieved=data["is_achieved"] == "yes",
            achieved_on=data["achieved_on"],
            note=data["note"],
            by=user,
        )
        return family_url(case, "plan")

    whom = goal.member.display_name if goal.member else "the whole family"
    return form_page(
        request,
        form=form,
        title="Mark a goal achieved",
        submit_text="Save",
        back_url=family_url(case, "plan"),
        save=save,
        success="The goal has been updated.",
        case=case,
        intro=f"Goal for {whom}: {goal.description} ({goal.agency}, due {goal.due_on:%-d %B %Y}).",
    )


@login_required
@require_http_methods(GET_POST)
def record_review(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    form = ReviewForm(posted(request), initial={"held_on": timezone.localdate()})

    def save() -> str:
        data = form.cleaned_data
        services.record_review(
            case=case,
            held_on=data["held_on"],
            progress=data["progress"],
            outcome=Review.Outcome(data["outcome"]),
            by=user,
        )
        return family_url(case, "reviews")

    due = f"This review was due on {case.next_review_due_on:%-d %B %Y}." if case.next_review_due_on else ""
    return form_page(
        request,
        form=form,
        title="Record a review",
        submit_text="Save the review",
        back_url=family_url(case, "reviews"),
        save=save,
        success="The review has been saved.",
        case=case,
        intro=f"{due} The next one falls due three months after this.".strip(),
    )


def _member_of(case_pk: int, member_pk: int) -> Member:
    try:
        return Member.objects.get(pk=member_pk, case_id=case_pk)
    except Member.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(GET_POST)
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    form = MemberForm(posted(request), initial={"start_on": timezone.localdate()})

    def save() -> str:
        data = form.cleaned_data
        details = services.MemberDetails(
            display_name=data["display_name"],
            role=MemberRole(data["role"]),
            person_id=data["person_id"],
            born_on=data["born_on"],
        )
        services.add_member(case=case, details=details, start_on=data["start_on"], reason=data["reason"], by=user)
        return family_url(case, "members")

    return form_page(
        request,
        form=form,
        title="Add a family member",
        submit_text="Add the member",
        back_url=family_url(case, "members"),
        save=save,
        success="The member has been added.",
        case=case,
    )


@login_required
@require_http_methods(GET_POST)
def change_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    member = _member_of(case.pk, member_pk)
    initial = {
        "display_name": member.display_name,
        "born_on": member.born_on,
        "role": member.role,
        "version": member.version,
    }
    form = MemberChangeForm(posted(request), initial=initial)

    def save() -> str:
        data = form.cleaned_data
        services.change_member(
            member=member,
            expected_version=data["version"],
            display_name=data["display_name"],
            role=MemberRole(data["role"]),
            born_on=data["born_on"],
            reason=data["reason"],
            by=user,
        )
        return family_url(case, "members")

    return form_page(
        request,
        form=form,
        title=f"Change {member.display_name}'s details",
        submit_text="Save the change",
        back_url=family_url(case, "members"),
        save=save,
        success="The member's details have been changed.",
        case=case,
    )


@login_required
@require_http_methods(GET_POST)
def member_left(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    member = _member_of(case.pk, member_pk)
    form = MemberLeaveForm(posted(request), initial={"end_on": timezone.localdate()})

    def save() -> str:
        services.end_membership(
            member=member, end_on=form.cleaned_data["end_on"], reason=form.cleaned_data["reason"], by=user
        )
        return family_url(case, "members")

    return form_page(
        request,
        form=form,
        title=f"{member.display_name} has left the family",
        submit_text="Save",
        back_url=family_url(case, "members"),
        save=save,
        success="The member's leaving has been recorded. Their history stays with the family.",
        case=case,
    )


@login_required
@require_http_methods(GET_POST)
def taf_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    form = TafMeetingForm(posted(request), initial={"held_on": timezone.localdate()})

    def save() -> str:
        data = form.cleaned_data
        services.record_taf_meeting(
            case=case, held_on=data["held_on"], attendees=data["attendees"], notes=data["notes"], by=user
        )
        return family_url(case, "meetings")

    return form_page(
        request,
        form=form,
        title="Record a Team Around the Family meeting",
        submit_text="Save the meeting",
        back_url=family_url(case, "meetings"),
        save=save,
        success="The meeting has been saved.",
        case=case,
    )


@login_required
@require_http_methods(GET_POST)
def fair_processing_notice(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    form = NoticeForm(posted(request), initial={"issued_on": timezone.localdate()})

    def save() -> str:
        services.issue_fair_processing_notice(
            case=case, issued_on=form.cleaned_data["issued_on"], method=form.cleaned_data["method"], by=user
        )
        return family_url(case, "consent")

    return form_page(
        request,
        form=form,
        title="Record the fair processing notice",
        submit_text="Save",
        back_url=family_url(case, "consent"),
        save=save,
        success="The fair processing notice has been recorded.",
        case=case,
        intro="The notice tells the family what information is held about them, why, and who it is shared with.",
    )


@login_required
@require_http_methods(GET_POST)
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    form = ConsentForm(
        posted(request),
        members=case.members.filter(end_on__isnull=True),
        initial={"recorded_on": timezone.localdate()},
    )

    def save() -> str:
        data = form.cleaned_data
        services.record_consent(
            case=case,
            member=data["member"],
            purpose=data["purpose"],
            status=data["status"],
            recorded_on=data["recorded_on"],
            by=user,
        )
        return family_url(case, "consent")

    return form_page(
        request,
        form=form,
        title="Record consent",
        submit_text="Save",
        back_url=family_url(case, "consent"),
        save=save,
        success="The consent has been recorded.",
        case=case,
    )


@login_required
@require_http_methods(GET_POST)
def budget(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    may_add_funds = bool(services.pathway_roles(user) & pathway.MANAGERS)
    form = BudgetForm(posted(request), may_add_funds=may_add_funds, initial={"entered_on": timezone.localdate()})

    def save() -> str:
        data = form.cleaned_data
        add = services.add_budget_funds if data.get("kind") == "funds" else services.request_budget_spend
        add(
            case=case,
            amount_pence=form.amount_pence(),
            description=data["description"],
            entered_on=data["entered_on"],
            by=user,
        )
        return family_url(case, "budget")

    return form_page(
        request,
        form=form,
        title="Add to the family's budget" if may_add_funds else "Ask to spend from the family's budget",
        submit_text="Save",
        back_url=family_url(case, "budget"),
        save=save,
        success="The budget entry has been saved.",
        case=case,
        intro="A spend counts against the budget once a manager approves it.",
    )


@login_required
@require_http_methods(GET_POST)
def decide_spend(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    line = BudgetLine.objects.filter(pk=line_pk, case=case, kind=LedgerKind.SPEND).first()
    if line is None:
        raise Http404
    form = SpendDecisionForm(posted(request))

    def save() -> str:
        services.decide_budget_spend(line=line, is_approved=form.cleaned_data["decision"] == "approve", by=user)
        return family_url(case, "budget")

    return form_page(
        request,
        form=form,
        title="Approve or reject a spend",
        submit_text="Save the decision",
        back_url=family_url(case, "budget"),
        save=save,
        success="The decision has been saved.",
        case=case,
        intro=f"{pathway.format_pence(line.amount_pence)} for {line.description}, asked for by "
        f"{line.requested_by.get_full_name() or line.requested_by.get_username()}.",
    )
