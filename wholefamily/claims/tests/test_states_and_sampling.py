"""The claim state machine (who moves a claim where, with which reason) and the spot-check sample."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wholefamily.domain.claims.sampling import spot_check_sample
from wholefamily.domain.claims.states import ClaimState, MoveError, check_move, next_states
from wholefamily.domain.roles import Role

AUDITOR = frozenset({Role.AUDITOR})
MANAGER = frozenset({Role.PROGRAMME_MANAGER})


@pytest.mark.parametrize(
    ("source", "target", "roles", "reason"),
    [
        (ClaimState.DRAFT, ClaimState.VALIDATED, AUDITOR, ""),
        (ClaimState.DRAFT, ClaimState.REJECTED, AUDITOR, "school data disagree"),
        (ClaimState.VALIDATED, ClaimState.DRAFT, AUDITOR, "check the exclusions"),
        (ClaimState.VALIDATED, ClaimState.SUBMITTED, MANAGER, ""),
        (ClaimState.SUBMITTED, ClaimState.PAID, MANAGER, ""),
        (ClaimState.SUBMITTED, ClaimState.REJECTED, MANAGER, "department refused"),
    ],
)
def test_allowed_moves(source, target, roles, reason):
    assert check_move(source=source, target=target, roles=roles, reason=reason).target is target


@pytest.mark.parametrize(
    ("source", "target", "roles", "reason", "message"),
    [
        (ClaimState.DRAFT, ClaimState.SUBMITTED, MANAGER, "", "cannot go from draft to submitted"),
        (ClaimState.DRAFT, ClaimState.VALIDATED, MANAGER, "", "needs the role auditor"),
        (ClaimState.VALIDATED, ClaimState.SUBMITTED, AUDITOR, "", "needs the role programme manager"),
        (ClaimState.DRAFT, ClaimState.REJECTED, AUDITOR, "   ", "say why"),
        (ClaimState.PAID, ClaimState.REJECTED, MANAGER, "late", "cannot go from paid"),
        (ClaimState.REJECTED, ClaimState.DRAFT, AUDITOR, "again", "cannot go from rejected"),
    ],
)
def test_refused_moves(source, target, roles, reason, message):
    with pytest.raises(MoveError, match=message):
        check_move(source=source, target=target, roles=roles, reason=reason)


def test_final_states_have_no_moves():
    assert next_states(ClaimState.PAID) == ()
    assert next_states(ClaimState.REJECTED) == ()
    assert next_states(ClaimState.DRAFT) == (ClaimState.VALIDATED, ClaimState.REJECTED)


CLAIMS = [f"C-{n:04d}" for n in range(1, 201)]


def test_sample_size_rounds_up():
    assert len(spot_check_sample(claims=CLAIMS, percent=Decimal(10), seed=1)) == 20
    assert len(spot_check_sample(claims=CLAIMS[:15], percent=Decimal(10), seed=1)) == 2
    assert spot_check_sample(claims=[], percent=Decimal(10), seed=1) == ()
    assert len(spot_check_sample(claims=CLAIMS, percent=Decimal(100), seed=1)) == 200


def test_sample_is_reproducible_by_seed_whatever_the_order():
    first = spot_check_sample(claims=CLAIMS, percent=Decimal(10), seed=2013)
    assert spot_check_sample(claims=list(reversed(CLAIMS)), percent=Decimal(10), seed=2013) == first
    assert spot_check_sample(claims=CLAIMS, percent=Decimal(10), seed=2014) != first
    assert set(first) <= set(CLAIMS)


def test_sample_percentage_is_checked():
    with pytest.raises(ValueError, match="between 0% and 100%"):
        spot_check_sample(claims=CLAIMS, percent=Decimal(101), seed=1)
