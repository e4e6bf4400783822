"""The case pathway as pure rules: stages, allowed transitions and who may make them, closure, reviews, budget.

Source: Commissioning for Families with Complex Needs, Appendix C §6-9 (referral routes, gatekeeping, a key worker per
family, reviews after one month then quarterly, a case closure policy) and the Lancashire progress report (Working
Together With Families (Lancashire, 2013), §2.4: information gathering, awaiting allocation of a lead professional,
lead professional with an active plan). No Django here: the `cases` app adapts.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from wholefamily.domain.roles import Role


class Stage(enum.StrEnum):
    IDENTIFIED = "identified"
    INFORMATION_GATHERING = "information_gathering"
    AWAITING_ALLOCATION = "awaiting_allocation"
    ALLOCATED = "allocated"
    ASSESSMENT = "assessment"
    PLAN_ACTIVE = "plan_active"
    REVIEW = "review"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self is not Stage.CLOSED


STAGE_LABELS: dict[Stage, str] = {
    Stage.IDENTIFIED: "Identified",
    Stage.INFORMATION_GATHERING: "Information gathering",
    Stage.AWAITING_ALLOCATION: "Awaiting allocation",
    Stage.ALLOCATED: "Allocated",
    Stage.ASSESSMENT: "Assessment",
    Stage.PLAN_ACTIVE: "Plan active",
    Stage.REVIEW: "Review",
    Stage.CLOSED: "Closed",
}

# Stages in which a family has a lead professional (key worker) allocated.
ALLOCATED_STAGES = frozenset({Stage.ALLOCATED, Stage.ASSESSMENT, Stage.PLAN_ACTIVE, Stage.REVIEW})
# Working Together With Families (Lancashire, 2013) §2.4 "families with LP and active action plan".
ACTIVE_PLAN_STAGES = frozenset({Stage.PLAN_ACTIVE, Stage.REVIEW})


class Destination(enum.StrEnum):
    """Where a family goes when their case closes."""

    OUTCOMES_ACHIEVED = "outcomes_achieved"
    STEP_DOWN_UNIVERSAL = "step_down_universal"
    STEP_DOWN_TARGETED = "step_down_targeted"
    STEP_UP_SOCIAL_CARE = "step_up_social_care"
    MOVED_OUT_OF_AREA = "moved_out_of_area"
    DISENGAGED = "disengaged"
    OTHER = "other"

    @property
    def label(self) -> str:
        return DESTINATION_LABELS[self]


DESTINATION_LABELS: dict[Destination, str] = {
    Destination.OUTCOMES_ACHIEVED: "Outcomes achieved",
    Destination.STEP_DOWN_UNIVERSAL: "Step down to universal services",
    Destination.STEP_DOWN_TARGETED: "Step down to targeted services",
    Destination.STEP_UP_SOCIAL_CARE: "Step up to social care",
    Destination.MOVED_OUT_OF_AREA: "Moved out of area",
    Destination.DISENGAGED: "Disengaged",
    Destination.OTHER: "Other",
}


class ReferralSource(enum.StrEnum):
    """Commissioning for Families with Complex Needs, Appendix C §6: the routes into the service."""

    EARLY_HELP_CAF = "early_help_caf"
    SOCIAL_CARE_NFA = "social_care_nfa"
    YOUTH_OFFENDING_ASSET = "youth_offending_asset"
    STEP_DOWN_CHILD_PROTECTION = "step_down_child_protection"
    RETURN_HOME_FROM_CARE = "return_home_from_care"
    MARAC = "marac"
    SCHOOL = "school"
    HEALTH = "health"
    SELF_REFERRAL = "self_referral"

    @property
    def label(self) -> str:
        return REFERRAL_SOURCE_LABELS[self]


REFERRAL_SOURCE_LABELS: dict[ReferralSource, str] = {
    ReferralSource.EARLY_HELP_CAF: "Early help assessment (CAF)",
    ReferralSource.SOCIAL_CARE_NFA: "Social care assessment closed with no further action",
    ReferralSource.YOUTH_OFFENDING_ASSET: "Youth offending assessment (ASSET)",
    ReferralSource.STEP_DOWN_CHILD_PROTECTION: "Step-down from a child protection plan",
    ReferralSource.RETURN_HOME_FROM_CARE: "Return home from care",
    ReferralSource.MARAC: "Multi-agency risk assessment conference (MARAC)",
    ReferralSource.SCHOOL: "School",
    ReferralSource.HEALTH: "Health",
    ReferralSource.SELF_REFERRAL: "Self-referral",
}


class GatekeepingDecision(enum.StrEnum):
    """Commissioning for Families with Complex Needs, Appendix C §6: the provider gatekeeps each referral."""

    ACCEPT = "accept"
    SIGNPOST = "signpost"
    REFER_TO_SOCIAL_CARE = "refer_to_social_care"

    @property
    def label(self) -> str:
        return {
            GatekeepingDecision.ACCEPT: "Accept onto the programme",
            GatekeepingDecision.SIGNPOST: "Signpost to another service",
            GatekeepingDecision.REFER_TO_SOCIAL_CARE: "Refer to social care",
        }[self]


class Origin(enum.StrEnum):
    """How a family came onto the programme."""

    COHORT = "cohort"  # an identification run found them
    REFERRAL = "referral"  # an accepted referral


# A cohort family still needs its information gathered; an accepted referral has been gatekept already.
ENTRY_STAGE: dict[Origin, Stage] = {
    Origin.COHORT: Stage.IDENTIFIED,
    Origin.REFERRAL: Stage.INFORMATION_GATHERING,
}


class MemberRole(enum.StrEnum):
    CHILD = "child"
    YOUNG_PERSON = "young_person"
    PARENTING_ADULT = "parenting_adult"
    OTHER_ADULT = "other_adult"

    @property
    def label(self) -> str:
        return {
            MemberRole.CHILD: "Child",
            MemberRole.YOUNG_PERSON: "Young person",
            MemberRole.PARENTING_ADULT: "Adult with parenting responsibility",
            MemberRole.OTHER_ADULT: "Other adult",
        }[self]


@dataclass(frozen=True)
class MemberDetails:
    """A member as the identification cohort or a form gives them: the linkage's person id and a display copy."""

    display_name: str
    role: MemberRole
    person_id: str = ""
    born_on: date | None = None


class EventCode(enum.StrEnum):
    """Codes of the append-only case event log (the pathway's business history)."""

    CASE_OPENED = "case_opened"
    STAGE_CHANGED = "stage_changed"
    ALLOCATED = "allocated"
    REASSIGNED = "reassigned"
    MEMBER_ADDED = "member_added"
    MEMBER_CHANGED = "member_changed"
    MEMBER_LEFT = "member_left"
    ASSESSMENT_RECORDED = "assessment_recorded"
    PLAN_AGREED = "plan_agreed"
    PLAN_UPDATED = "plan_updated"
    GOAL_ADDED = "goal_added"
    GOAL_ACHIEVED = "goal_achieved"
    GOAL_NOT_YET_ACHIEVED = "goal_not_yet_achieved"
    REVIEW_HELD = "review_held"
    TAF_MEETING_HELD = "taf_meeting_held"
    FAIR_PROCESSING_NOTICE_ISSUED = "fair_processing_notice_issued"
    CONSENT_RECORDED = "consent_recorded"
    BUDGET_SPEND_REQUESTED = "budget_spend_requested"
    BUDGET_SPEND_APPROVED = "budget_spend_approved"
    BUDGET_SPEND_REJECTED = "budget_spend_rejected"
    BUDGET_FUNDS_ADDED = "budget_funds_added"
    CASE_CLOSED = "case_closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


MANAGERS = frozenset({Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER})
CASE_WORKERS = frozenset({Role.KEY_WORKER, Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER})


@dataclass(frozen=True)
class Transition:
    name: str
    source: Stage
    target: Stage
    roles: frozenset[Role]
    label: str


def _closures() -> tuple[Transition, ...]:
    """A manager closes a case from any open stage (the case closure policy,
    Commissioning for Families with Complex Needs, Appendix C §7)."""
    return tuple(
        Transition("close", stage, Stage.CLOSED, MANAGERS, "Close the case") for stage in Stage if stage.is_open
    )


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "start_information_gathering",
        Stage.IDENTIFIED,
        Stage.INFORMATION_GATHERING,
        CASE_WORKERS,
        "Start gathering information",
    ),
    Transition(
        "ready_for_allocation",
        Stage.INFORMATION_GATHERING,
        Stage.AWAITING_ALLOCATION,
        CASE_WORKERS,
        "Information gathered: ready for allocation",
    ),
    Transition("allocate", Stage.AWAITING_ALLOCATION, Stage.ALLOCATED, MANAGERS, "Allocate a key worker"),
    Transition(
        "return_to_waiting_list", Stage.ALLOCATED, Stage.AWAITING_ALLOCATION, MANAGERS, "Return to the waiting list"
    ),
    Transition("start_assessment", Stage.ALLOCATED, Stage.ASSESSMENT, CASE_WORKERS, "Start the assessment"),
    Transition("agree_plan", Stage.ASSESSMENT, Stage.PLAN_ACTIVE, CASE_WORKERS, "Agree the family plan"),
    Transition("start_review", Stage.PLAN_ACTIVE, Stage.REVIEW, CASE_WORKERS, "Start a review"),
    Transition("continue_plan", Stage.REVIEW, Stage.PLAN_ACTIVE, CASE_WORKERS, "Continue the plan after review"),
    *_closures(),
)

# Transitions that need more than a stage change, so are made by their own service and page.
SPECIAL_TRANSITIONS = frozenset({"allocate", "agree_plan", "close"})


class TransitionError(Exception):
    """A transition the pathway does not allow, or not for this person."""


def transitions_from(stage: Stage) -> tuple[Transition, ...]:
    return tuple(t for t in TRANSITIONS if t.source is stage)


def find_transition(source: Stage, target: Stage) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source is source and t.target is target), None)


def may_make(roles: Iterable[Role], transition: Transition) -> bool:
    return bool(frozenset(roles) & transition.roles)


def allowed_transitions(stage: Stage, roles: Iterable[Role]) -> tuple[Transition, ...]:
    """The transitions out of `stage` that a holder of `roles` may make."""
    held = frozenset(roles)
    return tuple(t for t in transitions_from(stage) if may_make(held, t))


def check_transition(source: Stage, target: Stage, roles: Iterable[Role]) -> Transition:
    """The transition from `source` to `target` if this person may make it; raises TransitionError otherwise."""
    transition = find_transition(source, target)
    if transition is None:
        raise TransitionError(f"A family cannot move from {source.label.lower()} to {target.label.lower()}.")
    if not may_make(roles, transition):
        raise TransitionError(f"Your role cannot {transition.label[0].lower()}{transition.label[1:]}.")
    return transition


def may_reassign(stage: Stage, roles: Iterable[Role]) -> bool:
    """A manager may hand an allocated family to another key worker, with a reason."""
    return stage in ALLOCATED_STAGES and bool(frozenset(roles) & MANAGERS)


# --- Reviews: one month after the plan, then quarterly (Commissioning for Families with Complex Needs, Appendix C §7)

FIRST_REVIEW_MONTHS = 1
REVIEW_INTERVAL_MONTHS = 3


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_due_on(plan_agreed_on: date, last_review_held_on: date | None) -> date:
    """The first review falls one month after the plan is agreed; each later one three months after the last."""
    if last_review_held_on is None:
        return add_months(plan_agreed_on, FIRST_REVIEW_MONTHS)
    return add_months(last_review_held_on, REVIEW_INTERVAL_MONTHS)


def is_review_overdue(due_on: date | None, today: date) -> bool:
    return due_on is not None and due_on < today


# --- Personalised budget: a ledger of small spends per family --------------------------------------


class LedgerKind(enum.StrEnum):
    FUNDS = "funds"  # money put into the family's budget
    SPEND = "spend"  # a spend, which counts only once approved


class LedgerStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class LedgerLine:
    kind: LedgerKind
    status: LedgerStatus
    amount_pence: int


def balance_change(line: LedgerLine) -> int:
    """What one line does to the balance: approved funds add, approved spends subtract, the rest nothing."""
    if line.status is not LedgerStatus.APPROVED:
        return 0
    return line.amount_pence if line.kind is LedgerKind.FUNDS else -line.amount_pence


def running_balances(lines: Iterable[LedgerLine]) -> list[int]:
    """The balance after each line, in order."""
    balance, balances = 0, []
    for line in lines:
        balance += balance_change(line)
        balances.append(balance)
    return balances


def can_approve_spend(balance_pence: int, amount_pence: int) -> bool:
    """A spend is approved only if the budget covers it: the balance never goes below zero."""
    return 0 < amount_pence <= balance_pence


def format_pence(amount_pence: int) -> str:
    sign = "-" if amount_pence < 0 else ""
    pounds, pence = divmod(abs(amount_pence), 100)
    return f"{sign}£{pounds:,}.{pence:02d}"
