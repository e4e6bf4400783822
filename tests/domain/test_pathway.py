"""The case pathway: every stage pair for every role, closure, review dates and the budget ledger."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from wholefamily.domain.pathway import (
    ENTRY_STAGE,
    LedgerKind,
    LedgerLine,
    LedgerStatus,
    Origin,
    Stage,
    TransitionError,
    add_months,
    allowed_transitions,
    can_approve_spend,
    check_transition,
    format_pence,
    is_review_overdue,
    may_reassign,
    next_review_due_on,
    running_balances,
)
from wholefamily.domain.roles import Role

S = Stage
KW, TM, PM = Role.KEY_WORKER, Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER
WORKERS = {KW, TM, PM}
MANAGERS = {TM, PM}

# The whole table, written out by hand: (from, to) -> the roles that may make it. Anything absent is forbidden.
EXPECTED: dict[tuple[Stage, Stage], set[Role]] = {
    (S.IDENTIFIED, S.INFORMATION_GATHERING): WORKERS,
    (S.INFORMATION_GATHERING, S.AWAITING_ALLOCATION): WORKERS,
    (S.AWAITING_ALLOCATION, S.ALLOCATED): MANAGERS,
    (S.ALLOCATED, S.AWAITING_ALLOCATION): MANAGERS,
    (S.ALLOCATED, S.ASSESSMENT): WORKERS,
    (S.ASSESSMENT, S.PLAN_ACTIVE): WORKERS,
    (S.PLAN_ACTIVE, S.REVIEW): WORKERS,
    (S.REVIEW, S.PLAN_ACTIVE): WORKERS,
    (S.IDENTIFIED, S.CLOSED): MANAGERS,
    (S.INFORMATION_GATHERING, S.CLOSED): MANAGERS,
    (S.AWAITING_ALLOCATION, S.CLOSED): MANAGERS,
    (S.ALLOCATED, S.CLOSED): MANAGERS,
    (S.ASSESSMENT, S.CLOSED): MANAGERS,
    (S.PLAN_ACTIVE, S.CLOSED): MANAGERS,
    (S.REVIEW, S.CLOSED): MANAGERS,
}

ALL_CASES = [(source, target, role) for source, target in itertools.product(Stage, Stage) for role in Role]


@pytest.mark.parametrize(("source", "target", "role"), ALL_CASES)
def test_every_transition_for_every_role(source: Stage, target: Stage, role: Role) -> None:
    allowed = role in EXPECTED.get((source, target), set())
    if allowed:
        transition = check_transition(source, target, {role})
        assert (transition.source, transition.target) == (source, target)
    else:
        with pytest.raises(TransitionError):
            check_transition(source, target, {role})


@pytest.mark.parametrize("stage", list(Stage))
def test_allowed_transitions_match_the_table(stage: Stage) -> None:
    for role in Role:
        got = {t.target for t in allowed_transitions(stage, {role})}
        assert got == {target for (source, target), roles in EXPECTED.items() if source is stage and role in roles}


def test_closed_is_final_and_nobody_without_a_role_moves_anything() -> None:
    assert all(allowed_transitions(S.CLOSED, {role}) == () for role in Role)
    assert all(allowed_transitions(stage, set()) == () for stage in Stage)


def test_forbidden_messages_say_why() -> None:
    with pytest.raises(TransitionError, match="cannot move from identified to plan active"):
        check_transition(S.IDENTIFIED, S.PLAN_ACTIVE, {PM})
    with pytest.raises(TransitionError, match="Your role cannot allocate a key worker"):
        check_transition(S.AWAITING_ALLOCATION, S.ALLOCATED, {KW})


def test_entry_stages() -> None:
    assert ENTRY_STAGE[Origin.COHORT] is S.IDENTIFIED
    assert ENTRY_STAGE[Origin.REFERRAL] is S.INFORMATION_GATHERING


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("role", list(Role))
def test_reassignment_only_by_managers_of_allocated_families(stage: Stage, role: Role) -> None:
    expected = role in MANAGERS and stage in {S.ALLOCATED, S.ASSESSMENT, S.PLAN_ACTIVE, S.REVIEW}
    assert may_reassign(stage, {role}) is expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_reviews_one_month_after_the_plan_then_quarterly() -> None:
    agreed = date(2026, 3, 10)
    first = next_review_due_on(agreed, None)
    assert first == date(2026, 4, 10)
    assert next_review_due_on(agreed, date(2026, 4, 12)) == date(2026, 7, 12)
    assert is_review_overdue(first, date(2026, 4, 11))
    assert not is_review_overdue(first, date(2026, 4, 10))
    assert not is_review_overdue(None, date(2030, 1, 1))


def test_ledger_counts_only_approved_lines() -> None:
    lines = [
        LedgerLine(LedgerKind.FUNDS, LedgerStatus.APPROVED, 50_000),
        LedgerLine(LedgerKind.SPEND, LedgerStatus.REQUESTED, 10_000),
        LedgerLine(LedgerKind.SPEND, LedgerStatus.APPROVED, 12_550),
        LedgerLine(LedgerKind.SPEND, LedgerStatus.REJECTED, 99_999),
        LedgerLine(LedgerKind.FUNDS, LedgerStatus.APPROVED, 1),
    ]
    assert running_balances(lines) == [50_000, 50_000, 37_450, 37_450, 37_451]


@pytest.mark.parametrize(
    ("balance", "amount", "expected"), [(1000, 1000, True), (1000, 1001, False), (1000, 0, False), (0, 1, False)]
)
def test_a_spend_is_approved_only_within_the_balance(balance: int, amount: int, expected: bool) -> None:
    assert can_approve_spend(balance, amount) is expected


def test_format_pence() -> None:
    assert format_pence(123_456) == "£1,234.56"
    assert format_pence(-5) == "-£0.05"
