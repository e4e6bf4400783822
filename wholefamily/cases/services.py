"""Writes to a family's case. Each checks access and the pathway's rules, records a coded case event and
an audit event in the same transaction. Reads live in selectors.py.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from wholefamily.cases import assessment_definition
from wholefamily.cases.models import (
    Allocation,
    Assessment,
    AssessmentScore,
    BudgetLine,
    Case,
    CaseEvent,
    Consent,
    DistrictEstimate,
    FairProcessingNotice,
    Goal,
    Member,
    Plan,
    Referral,
    Review,
    TafAttendee,
    TafMeeting,
)
from wholefamily.domain import pathway
from wholefamily.domain.pathway import (
    ALLOCATED_STAGES,
    ENTRY_STAGE,
    EventCode,
    GatekeepingDecision,
    LedgerKind,
    LedgerLine,
    LedgerStatus,
    MemberRole,
    Origin,
    ReferralSource,
    Stage,
)
from wholefamily.domain.pathway import (
    MemberDetails as MemberDetails,  # callers pass it to these services
)
from wholefamily.domain.roles import Action, Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent, StaffProfile, Team

P = ParamSpec("P")
R = TypeVar("R")
CASE_TEAM = "team"
CASE_WORKER = "key_worker"


class CaseError(Exception):
    """A change the pathway refuses; the message is shown to the user as it is."""


class StaleRecordError(CaseError):
    """Someone else saved the record after this person opened it (optimistic locking: the lost update refused)."""

    title = "Someone else changed this record"


class StalePlanError(StaleRecordError):
    """Someone else saved the plan after this person opened it."""

    title = "Someone else changed this plan"


class StaleMemberError(StaleRecordError):
    """Someone else saved the member's details after this person opened them."""

    title = "Someone else changed this member's details"


# --- Access and the event log -------------------------------------------------------------------------


def pathway_roles(user: User) -> frozenset[Role]:
    """The roles the pathway checks: a superuser acts as a programme manager."""
    roles = access.user_roles(user)
    return roles | {Role.PROGRAMME_MANAGER} if user.is_superuser else roles


class _Denied(PermissionDenied):
    """Raised inside a service's transaction; `case_service` audits it after the rollback."""

    def __init__(self, message: str, *, obj: Model, detail: dict[str, Any]) -> None:
        super().__init__(message)
        self.obj, self.detail = obj, detail


def case_service(func: Callable[P, R]) -> Callable[P, R]:
    """Run a service in one transaction; a refusal of access is audited once the transaction has rolled back."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except _Denied as denied:
            by = kwargs["by"]
            assert isinstance(by, User)
            record(by=by, action="change", obj=denied.obj, outcome=AuditEvent.Outcome.DENIED, detail=denied.detail)
            raise PermissionDenied(str(denied)) from None

    return run


def _require_change(by: User, case: Case) -> None:
    decision = access.check(by, Action.CHANGE, case, team_field=CASE_TEAM, is_personal=True, worker_field=CASE_WORKER)
    if not decision.allowed:
        raise _Denied("You cannot change this family's case.", obj=case, detail={"decision": decision.value})


def _require_team(by: User, team: Team) -> None:
    decision = access.check(by, Action.CHANGE, team, team_field="pk", is_personal=False)
    if not decision.allowed or not pathway_roles(by) & pathway.CASE_WORKERS:
        raise _Denied("You cannot take on families for this team.", obj=team, detail={"for": "cases"})


def _require_manager(by: User, case: Case, what: str) -> None:
    if not pathway_roles(by) & pathway.MANAGERS:
        raise _Denied(f"Only a team or programme manager may {what}.", obj=case, detail={"role": "manager"})


def _locked(case: Case) -> Case:
    """The case row, locked for this transaction so that concurrent changes to it queue up."""
    return Case.objects.select_for_update().get(pk=case.pk)


# --- Dates: a case brought from an earlier system, or recorded late, carries the day things happened ----------

PAST_DAY_TIME = time(12, 0)  # a past day's steps are timed at noon, in the order they were recorded


def _at(on: date | None) -> datetime:
    """When a step happened: now for today (or no date), noon of the day otherwise."""
    if on is None or on == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(on, PAST_DAY_TIME))


def _check_on(case: Case, on: date | None, what: str, *, may_be_future: bool = False) -> None:
    """A step of the pathway happens on or after the case's last step (clear error otherwise). Steps dated by the new
    `on`-style arguments are never in the future; the dates a key worker always gave (assessment, plan, review,
    closure) keep their earlier freedom to be planned ahead."""
    if on is None:
        return
    if on > timezone.localdate() and not may_be_future:
        raise CaseError(f"The date {what} cannot be in the future.")
    if on < case.opened_on:
        raise CaseError(
            f"The date {what} cannot be before the family came onto the programme ({case.opened_on:%-d %B %Y})."
        )
    last_step_on = timezone.localtime(case.stage_changed_at).date()
    if on < last_step_on:
        raise CaseError(
            f"The date {what} cannot be before the family's last step on the pathway ({last_step_on:%-d %B %Y})."
        )


def _event(
    case: Case, code: EventCode, by: User | None, summary: str, *, at: datetime | None = None, **detail: Any
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, code=code, occurred_at=at or timezone.now(), by=by, summary=summary[:300], detail=detail
    )


def _audit(by: User, action: str, obj: Any, **detail: Any) -> None:
    record(by=by, action=f"cases.{action}", obj=obj, detail=detail)


def _set_stage(
    case: Case, target: Stage, by: User, *, note: str = "", at: datetime | None = None
) -> pathway.Transition:
    """Move the case along the pathway if the pathway allows it for this person (raises CaseError otherwise);
    `at` dates a step that happened earlier (checked by the caller with `_check_on`)."""
    try:
        transition = pathway.check_transition(case.stage_enum, target, pathway_roles(by))
    except pathway.TransitionError as error:
        raise CaseError(str(error)) from None
    source = case.stage_enum
    case.stage = target
    case.stage_changed_at = at or timezone.now()
    if target is Stage.AWAITING_ALLOCATION:
        case.waiting_since_at = case.stage_changed_at
    elif source is Stage.AWAITING_ALLOCATION:
        case.waiting_since_at = None
    case.save(update_fields=["stage", "stage_changed_at", "waiting_since_at"])
    _event(
        case,
        EventCode.STAGE_CHANGED,
        by,
        f"{source.label} to {target.label.lower()}" + (f": {note}" if note else ""),
        at=case.stage_changed_at,
        source=source.value,
        target=target.value,
        transition=transition.name,
    )
    return transition


def _previous_case(household_id: str) -> Case | None:
    if not household_id:
        return None
    return Case.objects.filter(household_id=household_id, stage=Stage.CLOSED).order_by("-closed_on", "-id").first()


def _open_case(
    *,
    team: Team,
    origin: Origin,
    family_name: str,
    household_id: str,
    evidence_summary: str,
    programme: str,
    priority: int,
    members: Sequence[MemberDetails],
    opened_on: date | None,
    imported_reference: str = "",
    by: User,
) -> Case:
    if opened_on is not None and opened_on > timezone.localdate():
        raise CaseError("The date the family came onto the programme cannot be in the future.")
    now = _at(opened_on)
    stage = ENTRY_STAGE[origin]
    previous = _previous_case(household_id)
    case = Case.objects.create(
        reference=f"new-{uuid.uuid4().hex[:16]}",
        family_name=family_name,
        household_id=household_id,
        programme=programme,
        team=team,
        origin=origin,
        evidence_summary=evidence_summary,
        stage=stage,
        stage_changed_at=now,
        priority=priority,
        opened_on=opened_on or timezone.localdate(),
        previous_case=previous,
    )
    case.reference = f"F-{case.pk:06d}"  # from the id, so concurrent openings never clash
    case.save(update_fields=["reference"])
    _event(
        case,
        EventCode.CASE_OPENED,
        by,
        f"Family came onto the programme from {'identification' if origin is Origin.COHORT else 'a referral'}"
        + (f"; re-referral after case {previous.reference}" if previous else ""),
        at=now,
        origin=origin.value,
        stage=stage.value,
        previous_case=previous.reference if previous else None,
        **({"imported_reference": imported_reference} if imported_reference else {}),
    )
    for details in members:
        _create_member(case, details, start_on=case.opened_on, by=by, reason="On the programme from the start")
    _audit(by, "open_case", case, origin=origin.value, members=len(members), opened_on=case.opened_on.isoformat())
    return case


# --- Coming onto the programme ----------------------------------------------------------------------------


def _refuse_household_on_programme(household_id: str, team: Team) -> None:
    """One open case per household: taking a family on from the cohort, recording a referral and accepting one
    all refuse a household already on the programme. Another team's case is not named (ADR 0014)."""
    if not household_id:
        return
    open_case = Case.objects.filter(household_id=household_id).exclude(stage=Stage.CLOSED).first()
    if open_case is None:
        return
    if open_case.team_id == team.pk:
        raise CaseError(f"This household is already on the programme as {open_case.reference}.")
    raise CaseError("This household is already on the programme with another team. Ask that team's manager.")


@case_service
def open_case_from_cohort(
    *,
    team: Team,
    household_id: str,
    family_name: str,
    members: Sequence[MemberDetails],
    evidence_summary: str,
    programme: str = "supporting_families",
    priority: int = 2,
    opened_on: date | None = None,
    imported_reference: str = "",
    by: User,
) -> Case:
    """Put an identified cohort family on the programme (stage: identified), linked to any earlier closed case.

    A manager's decision: taking a family on commits the team's capacity. `opened_on` dates a family taken on
    earlier (a council bringing its open and recent cases, ADR 0011): never before an identification run found
    the household, and a past date only for a household an identification run found. `imported_reference` is the
    case's reference in an earlier system (kept on its opening event; `imports.py`).
    """
    _require_team(by, team)
    if not pathway_roles(by) & pathway.MANAGERS:
        message = "Only a team or programme manager may put a family on the programme."
        raise _Denied(message, obj=team, detail={"role": "manager"})
    _refuse_household_on_programme(household_id, team)
    if opened_on is not None and opened_on != timezone.localdate():
        identified_on = first_identified_on(household_id)
        if identified_on is None:
            raise CaseError("No identification run found this household: a case from the cohort opens today.")
        if opened_on < identified_on:
            raise CaseError(
                f"The family cannot come onto the programme before it was identified ({identified_on:%-d %B %Y})."
            )
    return _open_case(
        team=team,
        origin=Origin.COHORT,
        family_name=family_name,
        household_id=household_id,
        evidence_summary=evidence_summary,
        programme=programme,
        priority=priority,
        members=members,
        opened_on=opened_on,
        imported_reference=imported_reference,
        by=by,
    )


def first_identified_on(household_id: str) -> date | None:
    """The earliest date as of which an identification run found the household qualifying (None if none did)."""
    from wholefamily.cases.from_cohort import first_identified_on as identified  # the cohort adapter imports us

    return identified(household_id)


@case_service
def record_referral(
    *,
    team: Team,
    source: ReferralSource,
    referrer: str,
    received_on: date,
    family_name: str,
    reason: str,
    priority: int = 2,
    household_id: str = "",
    by: User,
) -> Referral:
    """Record a referral through one of the routes of Commissioning for Families with Complex Needs, Appendix C §6,
    awaiting gatekeeping."""
    _require_team(by, team)
    _refuse_household_on_programme(household_id.strip(), team)
    referral = Referral.objects.create(
        team=team,
        source=source,
        referrer=referrer,
        received_on=received_on,
        family_name=family_name,
        household_id=household_id,
        reason=reason,
        priority=priority,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _audit(by, "record_referral", referral, source=source.value)
    return referral


@case_service
def decide_referral(
    *, referral: Referral, decision: GatekeepingDecision, reason: str, decided_on: date | None = None, by: User
) -> Referral:
    """The gatekeeping decision (accept, signpost, refer to social care) with its reason; accepting opens a case.
    `decided_on` dates a decision taken earlier: never before the referral was received."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_team(by, referral.team)
    if not pathway_roles(by) & pathway.MANAGERS:
        message = "Only a team or programme manager may decide on a referral."
        raise _Denied(message, obj=referral, detail={"role": "manager"})
    if referral.is_decided:
        raise CaseError("This referral has already been decided.")
    if not reason.strip():
        raise CaseError("Give the reason for the decision.")
    if decided_on is not None and decided_on < referral.received_on:
        raise CaseError(f"The decision cannot be before the referral was received ({referral.received_on:%-d %B %Y}).")
    referral.decision = decision
    referral.decision_reason = reason
    referral.decided_by = by
    referral.decided_at = _at(decided_on)
    if decision is GatekeepingDecision.ACCEPT:
        _refuse_household_on_programme(referral.household_id, referral.team)
        referral.case = _open_case(
            team=referral.team,
            origin=Origin.REFERRAL,
            family_name=referral.family_name,
            household_id=referral.household_id,
            evidence_summary=f"Referred by {referral.referrer} ({ReferralSource(referral.source).label}): "
            f"{referral.reason}",
            programme="supporting_families",
            priority=referral.priority,
            members=(),
            opened_on=decided_on,
            by=by,
        )
    referral.save()
    _audit(by, "decide_referral", referral, decision=decision.value)
    return referral


# --- Moving along the pathway -------------------------------------------------------------------------


@case_service
def move_case(*, case: Case, to: Stage, note: str = "", on: date | None = None, by: User) -> Case:
    """A plain stage change (e.g. information gathered); allocation, plans and closure have their own services.
    `on` dates a step taken earlier."""
    case = _locked(case)
    _require_change(by, case)
    transition = pathway.find_transition(case.stage_enum, to)
    if transition is not None and transition.name in pathway.SPECIAL_TRANSITIONS:
        raise CaseError(f"Use '{transition.label}' for this step.")
    _check_on(case, on, "of the step")
    _set_stage(case, to, by, note=note, at=_at(on))
    _audit(by, "move_case", case, to=to.value, on=on.isoformat() if on else None)
    return case


def open_caseload_count(worker: User) -> int:
    return Case.objects.filter(key_worker=worker, stage__in=ALLOCATED_STAGES).count()


def _require_key_worker_of(team: Team, worker: User) -> None:
    is_member = StaffProfile.objects.filter(user=worker, team=team).exists()
    if not is_member or Role.KEY_WORKER not in access.user_roles(worker):
        raise CaseError(f"{worker.get_full_name() or worker.get_username()} is not a key worker in {team.name}.")


@case_service
def allocate_case(
    *,
    case: Case,
    worker: User,
    reason: str = "",
    allow_over_limit: bool = False,
    allocated_on: date | None = None,
    by: User,
) -> Allocation:
    """Allocate a key worker to a waiting family, or reassign an allocated family with a reason; `allocated_on`
    dates an allocation made earlier."""
    case = _locked(case)
    _require_change(by, case)
    _require_key_worker_of(case.team, worker)
    _check_on(case, allocated_on, "of the allocation")
    is_reassignment = case.stage_enum in ALLOCATED_STAGES
    if is_reassignment:
        if not pathway.may_reassign(case.stage_enum, pathway_roles(by)):
            message = "Only a team or programme manager may reassign a family."
            raise _Denied(message, obj=case, detail={"role": "manager"})
        if case.key_worker_id == worker.pk:
            raise CaseError("The family is already allocated to this key worker.")
        if not reason.strip():
            raise CaseError("Give the reason for reassigning the family.")
    caseload, limit = open_caseload_count(worker), case.team.caseload_limit
    name = worker.get_full_name() or worker.get_username()
    if caseload >= limit and not allow_over_limit:
        raise CaseError(f"{name} already holds {caseload} families, the team's limit of {limit}.")
    now = _at(allocated_on)
    previous = case.key_worker
    Allocation.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    allocation = Allocation.objects.create(case=case, worker=worker, allocated_at=now, allocated_by=by, reason=reason)
    if not is_reassignment:
        _set_stage(case, Stage.ALLOCATED, by, at=now)
    case.key_worker = worker
    case.save(update_fields=["key_worker"])
    if is_reassignment:
        previous_name = previous.get_full_name() if previous else "nobody"
        summary = f"Reassigned from {previous_name} to {name}: {reason}"
        _event(case, EventCode.REASSIGNED, by, summary, at=now, reason=reason)
    else:
        _event(case, EventCode.ALLOCATED, by, f"Allocated to {name}", at=now, worker_id=worker.pk)
    _audit(by, "reassign" if is_reassignment else "allocate", case, worker_id=worker.pk, over_limit=caseload >= limit)
    return allocation


@case_service
def return_to_waiting_list(*, case: Case, reason: str, by: User) -> Case:
    """Take the family off its key worker's caseload and put it back on the waiting list."""
    case = _locked(case)
    _require_change(by, case)
    if not reason.strip():
        raise CaseError("Give the reason for returning the family to the waiting list.")
    _set_stage(case, Stage.AWAITING_ALLOCATION, by, note=reason)
    Allocation.objects.filter(case=case, ended_at__isnull=True).update(ended_at=timezone.now())
    case.key_worker = None
    case.save(update_fields=["key_worker"])
    _audit(by, "return_to_waiting_list", case)
    return case


@case_service
def close_case(*, case: Case, destination: pathway.Destination, reason: str, closed_on: date, by: User) -> Case:
    """Close the case with its destination (outcomes achieved, step down, step up, moved, disengaged, other), on
    the day it closed (today or earlier: never before the case opened or its last step)."""
    case = _locked(case)
    _require_change(by, case)
    if not reason.strip():
        raise CaseError("Give the reason for closing the case.")
    if closed_on < case.opened_on:
        raise CaseError("The closing date cannot be before the case was opened.")
    _check_on(case, closed_on, "the case closed", may_be_future=True)
    at = _at(closed_on)
    _set_stage(case, Stage.CLOSED, by, note=destination.label, at=at)
    case.closed_on = closed_on
    case.closure_destination = destination
    case.closure_reason = reason
    case.next_review_due_on = None
    case.waiting_since_at = None
    case.save(
        update_fields=["closed_on", "closure_destination", "closure_reason", "next_review_due_on", "waiting_since_at"]
    )
    Allocation.objects.filter(case=case, ended_at__isnull=True).update(ended_at=at)
    summary = f"Case closed: {destination.label}"
    _event(case, EventCode.CASE_CLOSED, by, summary, at=at, destination=destination.value)
    _audit(by, "close_case", case, destination=destination.value, closed_on=closed_on.isoformat())
    return case


# --- Members ---------------------------------------------------------------------------------------------


def _create_member(
    case: Case, details: MemberDetails, *, start_on: date, by: User, reason: str, is_outside_household: bool = False
) -> Member:
    member = Member.objects.create(
        case=case,
        person_id=details.person_id,
        display_name=details.display_name,
        born_on=details.born_on,
        role=details.role,
        start_on=start_on,
    )
    _event(
        case,
        EventCode.MEMBER_ADDED,
        by,
        f"{details.display_name} joined as {details.role.label.lower()}"
        + (" (a manager's decision: not in the household in the linked data)" if is_outside_household else "")
        + f": {reason}",
        at=_at(start_on),
        member_id=member.pk,
        person_id=details.person_id,
        reason=reason,
        outside_household=is_outside_household,
    )
    return member


NOT_IN_HOUSEHOLD = (
    "This person is not in the family's household in the linked data. Only a team or programme manager may add "
    "them, giving the reason; the decision is recorded in the family's history and the audit log."
)


def _is_in_household(case: Case, person_id: str) -> bool:
    from wholefamily.linkage.models import Membership

    return bool(case.household_id) and (
        Membership.objects.filter(
            person__person_id=person_id,
            person__retired_by_run__isnull=True,
            household__household_id=case.household_id,
            end_on__isnull=True,
        ).exists()
    )


def _outside_household_decision(case: Case, person_id: str, by: User) -> bool:
    """Whether adding `person_id` to `case` is a manager's decision to add someone from outside the household.

    A member's person must be in the family's household in the current linkage: the family page shows each
    member's agency records, so any other person id would read a stranger's records (ADR 0014). A manager may
    still add someone else (a partner who moved in before the data shows it), and the decision is recorded; a
    team-scoped manager never adds a person on another team's open case.
    """
    if not person_id or _is_in_household(case, person_id):
        return False
    roles = pathway_roles(by)
    if not roles & pathway.MANAGERS:
        raise CaseError(NOT_IN_HOUSEHOLD)
    elsewhere = (
        Member.objects.filter(person_id=person_id, end_on__isnull=True)
        .exclude(case__team=case.team)
        .exclude(case__stage=Stage.CLOSED)
    )
    if not access.has_role(by, Role.PROGRAMME_MANAGER) and elsewhere.exists():
        raise CaseError(NOT_IN_HOUSEHOLD)
    return True


@case_service
def add_member(*, case: Case, details: MemberDetails, start_on: date, reason: str, by: User) -> Member:
    """Add a member; a person id outside the family's linked household needs a manager's recorded decision."""
    case = _locked(case)
    _require_change(by, case)
    if not reason.strip():
        raise CaseError("Give the reason for adding the member.")
    is_outside = _outside_household_decision(case, details.person_id, by)
    member = _create_member(case, details, start_on=start_on, by=by, reason=reason, is_outside_household=is_outside)
    _audit(by, "add_member", member, person_id=details.person_id, outside_household=is_outside)
    return member


@case_service
def change_member(
    *,
    member: Member,
    expected_version: int,
    display_name: str,
    role: MemberRole,
    born_on: date | None,
    reason: str,
    by: User,
) -> Member:
    """Correct or update a member's details, with the reason; the earlier values stay in the case event.

    Refused if someone else saved the member's details after `expected_version` was read (ADR 0014)."""
    case = _locked(member.case)
    _require_change(by, case)
    if not reason.strip():
        raise CaseError("Give the reason for the change.")
    member = Member.objects.get(pk=member.pk)
    if member.version != expected_version:
        raise StaleMemberError(
            "Someone else changed this member's details after you opened them. Your changes have not been saved: "
            "check the details as they are now and make them again."
        )
    before = {"display_name": member.display_name, "role": member.role, "born_on": str(member.born_on or "")}
    member.display_name, member.role, member.born_on = display_name, role, born_on
    member.version += 1
    member.save(update_fields=["display_name", "role", "born_on", "version"])
    after = {"display_name": display_name, "role": role.value, "born_on": str(born_on or "")}
    summary = f"{display_name}'s details changed: {reason}"
    _event(case, EventCode.MEMBER_CHANGED, by, summary, before=before, after=after)
    _audit(by, "change_member", member, reason=reason)
    return member


@case_service
def end_membership(*, member: Member, end_on: date, reason: str, by: User) -> Member:
    """A member left the family (moved out, for example): their membership ends, their history stays."""
    case = _locked(member.case)
    _require_change(by, case)
    if member.end_on is not None:
        raise CaseError(f"{member.display_name} has already left the family.")
    if end_on < member.start_on:
        raise CaseError("The leaving date cannot be before the member joined.")
    if not reason.strip():
        raise CaseError("Give the reason the member left.")
    member.end_on, member.end_reason = end_on, reason
    member.save(update_fields=["end_on", "end_reason"])
    summary = f"{member.display_name} left the family: {reason}"
    _event(case, EventCode.MEMBER_LEFT, by, summary, at=_at(end_on), member_id=member.pk)
    _audit(by, "end_membership", member, reason=reason)
    return member


# --- Assessment, plan, reviews, meetings -----------------------------------------------------------------


@case_service
def record_assessment(
    *, case: Case, assessed_on: date, summary: str, scores: Mapping[str, int], by: User
) -> Assessment:
    """A whole-family assessment scored on the definition's domains; the first one starts the assessment stage."""
    case = _locked(case)
    _require_change(by, case)
    definition = assessment_definition.load()
    codes = {domain.code for domain in definition.domains}
    valid_scores = {score for score, _ in definition.scores}
    if set(scores) != codes or any(value not in valid_scores for value in scores.values()):
        raise CaseError("Score every domain of the assessment.")
    at = _at(assessed_on)
    if case.stage_enum is Stage.ALLOCATED:
        _check_on(case, assessed_on, "of the assessment", may_be_future=True)
        _set_stage(case, Stage.ASSESSMENT, by, at=at)
    elif case.stage_enum not in {Stage.ASSESSMENT, Stage.PLAN_ACTIVE, Stage.REVIEW}:
        raise CaseError("An assessment can be recorded once the family has a key worker, and before it closes.")
    assessment = Assessment.objects.create(
        case=case,
        definition=definition.key,
        assessed_on=assessed_on,
        summary=summary,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    AssessmentScore.objects.bulk_create(
        [AssessmentScore(assessment=assessment, domain=code, score=scores[code]) for code in sorted(codes)]
    )
    summary = f"Whole-family assessment of {assessed_on:%d %B %Y} recorded"
    _event(case, EventCode.ASSESSMENT_RECORDED, by, summary, at=at)
    _audit(by, "record_assessment", assessment)
    return assessment


@case_service
def agree_plan(*, case: Case, aims: str, agreed_on: date, agreement_signed_on: date | None = None, by: User) -> Plan:
    """The family plan, after an assessment; the first review falls due one month later."""
    case = _locked(case)
    _require_change(by, case)
    if Plan.objects.filter(case=case).exists():
        raise CaseError("This family already has a plan: change it instead.")
    if not case.assessments.exists():
        raise CaseError("Record the whole-family assessment before agreeing the plan.")
    _check_on(case, agreed_on, "the plan was agreed", may_be_future=True)
    at = _at(agreed_on)
    _set_stage(case, Stage.PLAN_ACTIVE, by, at=at)
    plan = Plan.objects.create(
        case=case,
        aims=aims,
        agreed_on=agreed_on,
        agreement_signed_on=agreement_signed_on,
        updated_at=timezone.now(),
        updated_by=by,
    )
    case.plan_agreed_on = agreed_on
    case.next_review_due_on = pathway.next_review_due_on(agreed_on, None)
    case.save(update_fields=["plan_agreed_on", "next_review_due_on"])
    summary = f"Family plan agreed on {agreed_on:%d %B %Y}"
    _event(case, EventCode.PLAN_AGREED, by, summary, at=at, version=plan.version)
    _audit(by, "agree_plan", plan)
    return plan


def _bump_plan_version(plan: Plan, expected_version: int, by: User, **changes: Any) -> Plan:
    """Optimistic lock: write only if nobody saved the plan since `expected_version`; else StalePlanError."""
    updated = Plan.objects.filter(pk=plan.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), updated_by=by, **changes
    )
    if updated != 1:
        current = Plan.objects.select_related("updated_by").get(pk=plan.pk)
        who = current.updated_by.get_full_name() or current.updated_by.get_username()
        raise StalePlanError(
            f"{who} changed this plan at {timezone.localtime(current.updated_at):%H:%M on %d %B %Y} after you "
            "opened it. Your changes have not been saved: check the plan as it is now and make them again."
        )
    return Plan.objects.get(pk=plan.pk)


@case_service
def update_plan(*, plan: Plan, expected_version: int, aims: str, agreement_signed_on: date | None, by: User) -> Plan:
    """Change the plan's aims or agreement date; refused if someone else saved it first."""
    case = _locked(plan.case)
    _require_change(by, case)
    if not case.is_open:
        raise CaseError("The case is closed: its plan cannot change.")
    plan = _bump_plan_version(plan, expected_version, by, aims=aims, agreement_signed_on=agreement_signed_on)
    _event(case, EventCode.PLAN_UPDATED, by, "Family plan changed", version=plan.version)
    _audit(by, "update_plan", plan, version=plan.version)
    return plan


@case_service
def add_goal(
    *,
    plan: Plan,
    expected_version: int,
    member: Member | None,
    description: str,
    actions: str,
    agency: str,
    due_on: date,
    by: User,
    added_on: date | None = None,
) -> Goal:
    """A goal for one member (or the whole family) with its actions, responsible agency and due date; `added_on`
    dates a goal set earlier (on or after the plan was agreed, never in the future), today when not given."""
    case = _locked(plan.case)
    _require_change(by, case)
    if not case.is_open:
        raise CaseError("The case is closed: its plan cannot change.")
    _check_on(case, added_on, "the goal was set")
    if added_on is not None and plan.agreed_on is not None and added_on < plan.agreed_on:
        raise CaseError("The goal cannot have been set before the plan was agreed.")
    if member is not None and member.case_id != case.pk:
        raise CaseError("That person is not a member of this family.")
    plan = _bump_plan_version(plan, expected_version, by)
    goal = Goal.objects.create(
        plan=plan, member=member, description=description, actions=actions, agency=agency, due_on=due_on
    )
    whom = member.display_name if member else "the whole family"
    _event(case, EventCode.GOAL_ADDED, by, f"Goal for {whom}: {description}", at=_at(added_on) if added_on else None,
           goal_id=goal.pk, version=plan.version)  # fmt: skip
    _audit(by, "add_goal", goal)
    return goal


@case_service
def record_goal_achievement(
    *,
    goal: Goal,
    expected_version: int,
    is_achieved: bool,
    achieved_on: date | None,
    note: str,
    by: User,
) -> Goal:
    """Mark a plan goal achieved on a date (or not yet achieved), with a short note; a change of the plan."""
    case = _locked(goal.plan.case)
    _require_change(by, case)
    if not case.is_open:
        raise CaseError("The case is closed: its plan cannot change.")
    goal = Goal.objects.select_related("plan", "member").get(pk=goal.pk)
    if is_achieved:
        if achieved_on is None:
            raise CaseError("Enter the date the goal was achieved.")
        if achieved_on > timezone.localdate():
            raise CaseError("The date the goal was achieved cannot be in the future.")
        if achieved_on < goal.plan.agreed_on:
            raise CaseError("The goal cannot have been achieved before the plan was agreed.")
    plan = _bump_plan_version(goal.plan, expected_version, by)
    goal.is_achieved = is_achieved
    goal.achieved_on = achieved_on if is_achieved else None
    goal.achievement_note = note
    goal.save(update_fields=["is_achieved", "achieved_on", "achievement_note"])
    whom = goal.member.display_name if goal.member else "the whole family"
    if goal.achieved_on is not None:
        code, summary = EventCode.GOAL_ACHIEVED, f"Goal for {whom} achieved on {goal.achieved_on:%d %B %Y}"
    else:
        code, summary = EventCode.GOAL_NOT_YET_ACHIEVED, f"Goal for {whom} not yet achieved"
    summary += f": {goal.description}" + (f" ({note})" if note else "")
    _event(case, code, by, summary, goal_id=goal.pk, version=plan.version)
    _audit(by, "record_goal_achievement", goal, is_achieved=is_achieved, version=plan.version)
    return goal


@case_service
def record_review(*, case: Case, held_on: date, progress: str, outcome: Review.Outcome, by: User) -> Review:
    """A review of the plan; the next falls due three months after it (Commissioning for Families with Complex
    Needs, Appendix C §7)."""
    case = _locked(case)
    _require_change(by, case)
    if case.stage_enum not in {Stage.PLAN_ACTIVE, Stage.REVIEW} or case.plan_agreed_on is None:
        raise CaseError("A review can be recorded only while the family has an active plan.")
    if held_on < case.plan_agreed_on:
        raise CaseError("The review cannot be before the plan was agreed.")
    _check_on(case, held_on, "of the review", may_be_future=True)
    at = _at(held_on)
    if case.stage_enum is Stage.PLAN_ACTIVE:
        _set_stage(case, Stage.REVIEW, by, at=at)
    review = Review.objects.create(
        case=case,
        due_on=case.next_review_due_on or held_on,
        held_on=held_on,
        progress=progress,
        outcome=outcome,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    if outcome == Review.Outcome.CONTINUE:
        _set_stage(case, Stage.PLAN_ACTIVE, by, at=at)
    case.next_review_due_on = pathway.next_review_due_on(case.plan_agreed_on, held_on)
    case.save(update_fields=["next_review_due_on"])
    _event(
        case,
        EventCode.REVIEW_HELD,
        by,
        f"Review held on {held_on:%d %B %Y}: {Review.Outcome(outcome).label.lower()}",
        at=at,
        outcome=str(outcome),
    )
    _audit(by, "record_review", review)
    return review


@case_service
def record_taf_meeting(
    *, case: Case, held_on: date, attendees: Sequence[tuple[str, str]], notes: str, by: User
) -> TafMeeting:
    """A Team Around the Family meeting with its attendees (name, agency)."""
    case = _locked(case)
    _require_change(by, case)
    if not attendees:
        raise CaseError("List who attended the meeting.")
    meeting = TafMeeting.objects.create(case=case, held_on=held_on, notes=notes, recorded_by=by)
    TafAttendee.objects.bulk_create([TafAttendee(meeting=meeting, name=n, agency=a) for n, a in attendees])
    _event(
        case,
        EventCode.TAF_MEETING_HELD,
        by,
        f"Team Around the Family meeting on {held_on:%d %B %Y} ({len(attendees)} attending)",
        at=_at(held_on),
        meeting_id=meeting.pk,
    )
    _audit(by, "record_taf_meeting", meeting)
    return meeting


# --- Fair processing and consent --------------------------------------------------------------------------


@case_service
def issue_fair_processing_notice(*, case: Case, issued_on: date, method: str, by: User) -> FairProcessingNotice:
    case = _locked(case)
    _require_change(by, case)
    notice = FairProcessingNotice.objects.create(case=case, issued_on=issued_on, issued_by=by, method=method)
    _event(case, EventCode.FAIR_PROCESSING_NOTICE_ISSUED, by, f"Fair processing notice given ({method})")
    _audit(by, "issue_fair_processing_notice", notice)
    return notice


@case_service
def record_consent(
    *, case: Case, member: Member, purpose: str, status: Consent.Status, recorded_on: date, by: User
) -> Consent:
    case = _locked(case)
    _require_change(by, case)
    if member.case_id != case.pk:
        raise CaseError("That person is not a member of this family.")
    consent = Consent.objects.create(
        case=case, member=member, purpose=purpose, status=status, recorded_on=recorded_on, recorded_by=by
    )
    label = Consent.Status(status).label.lower()
    _event(case, EventCode.CONSENT_RECORDED, by, f"Consent {label} by {member.display_name} for {purpose}")
    _audit(by, "record_consent", consent, status=str(status))
    return consent


# --- Personalised budget ------------------------------------------------------------------------------------


def budget_balance_pence(case: Case) -> int:
    lines = [
        LedgerLine(LedgerKind(kind), LedgerStatus(status), amount)
        for kind, status, amount in case.budget_lines.values_list("kind", "status", "amount_pence")
    ]
    return sum(pathway.balance_change(line) for line in lines)


@case_service
def add_budget_funds(*, case: Case, amount_pence: int, description: str, entered_on: date, by: User) -> BudgetLine:
    """A manager puts money into the family's personalised budget."""
    case = _locked(case)
    _require_change(by, case)
    _require_manager(by, case, "add funds to a family's budget")
    if not case.is_open:
        raise CaseError("The case is closed: its budget cannot change.")
    if amount_pence <= 0:
        raise CaseError("Enter an amount more than £0.")
    line = BudgetLine.objects.create(
        case=case,
        kind=LedgerKind.FUNDS,
        status=LedgerStatus.APPROVED,
        amount_pence=amount_pence,
        description=description,
        entered_on=entered_on,
        requested_by=by,
        decided_by=by,
        decided_at=timezone.now(),
    )
    _event(case, EventCode.BUDGET_FUNDS_ADDED, by, f"{pathway.format_pence(amount_pence)} added: {description}")
    _audit(by, "add_budget_funds", line, amount_pence=amount_pence)
    return line


@case_service
def request_budget_spend(*, case: Case, amount_pence: int, description: str, entered_on: date, by: User) -> BudgetLine:
    """A key worker asks to spend from the family's budget; a manager approves it."""
    case = _locked(case)
    _require_change(by, case)
    if not case.is_open:
        raise CaseError("The case is closed: no more spends.")
    if amount_pence <= 0:
        raise CaseError("Enter an amount more than £0.")
    line = BudgetLine.objects.create(
        case=case,
        kind=LedgerKind.SPEND,
        status=LedgerStatus.REQUESTED,
        amount_pence=amount_pence,
        description=description,
        entered_on=entered_on,
        requested_by=by,
    )
    _event(case, EventCode.BUDGET_SPEND_REQUESTED, by, f"Spend of {pathway.format_pence(amount_pence)} asked for")
    _audit(by, "request_budget_spend", line, amount_pence=amount_pence)
    return line


@case_service
def decide_budget_spend(*, line: BudgetLine, is_approved: bool, by: User) -> BudgetLine:
    """Approve (within the balance) or reject a requested spend; nobody approves their own request."""
    case = _locked(line.case)
    _require_change(by, case)
    _require_manager(by, case, "approve spends")
    line = BudgetLine.objects.select_for_update().get(pk=line.pk, case=case)
    if line.status != LedgerStatus.REQUESTED:
        raise CaseError("This spend has already been decided.")
    if is_approved and line.requested_by_id == by.pk:
        raise CaseError("Another manager must approve a spend you asked for.")
    if is_approved and not pathway.can_approve_spend(budget_balance_pence(case), line.amount_pence):
        raise CaseError("The family's budget does not cover this spend.")
    line.status = LedgerStatus.APPROVED if is_approved else LedgerStatus.REJECTED
    line.decided_by, line.decided_at = by, timezone.now()
    line.save(update_fields=["status", "decided_by", "decided_at"])
    code = EventCode.BUDGET_SPEND_APPROVED if is_approved else EventCode.BUDGET_SPEND_REJECTED
    verb = "approved" if is_approved else "rejected"
    _event(case, code, by, f"Spend of {pathway.format_pence(line.amount_pence)} {verb}: {line.description}")
    _audit(by, f"{verb}_budget_spend", line)
    return line


@case_service
def set_district_estimate(*, district: str, families_estimated: int, by: User) -> DistrictEstimate:
    """How many families a district expects to work with: 'remaining (of estimate)' in the progress table."""
    if not pathway_roles(by) & {Role.PROGRAMME_MANAGER}:
        raise PermissionDenied("Only a programme manager may set a district's estimate.")
    if not Team.objects.filter(district=district).exists():
        raise CaseError("No team serves that district.")
    if families_estimated < 0:
        raise CaseError("Enter an estimate of 0 or more.")
    estimate, _ = DistrictEstimate.objects.update_or_create(
        district=district, defaults={"families_estimated": families_estimated}
    )
    _audit(by, "set_district_estimate", estimate, families_estimated=families_estimated)
    return estimate
