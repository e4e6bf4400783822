"""A results claim's states and the moves between them: draft, validated by internal audit, submitted, paid,
rejected (ADR 0008). Who may make each move and whether a reason is needed; every move is audited by the service."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from wholefamily.domain.roles import Role


class ClaimState(enum.StrEnum):
    DRAFT = "draft"
    VALIDATED = "validated"
    SUBMITTED = "submitted"
    PAID = "paid"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            ClaimState.DRAFT: "Draft",
            ClaimState.VALIDATED: "Validated by internal audit",
            ClaimState.SUBMITTED: "Submitted",
            ClaimState.PAID: "Paid",
            ClaimState.REJECTED: "Rejected",
        }[self]

    @property
    def is_final(self) -> bool:
        return self in (ClaimState.PAID, ClaimState.REJECTED)


@dataclass(frozen=True)
class Move:
    source: ClaimState
    target: ClaimState
    roles: frozenset[Role]
    needs_reason: bool


_AUDIT = frozenset({Role.AUDITOR})
_MANAGER = frozenset({Role.PROGRAMME_MANAGER})

MOVES: tuple[Move, ...] = (
    Move(ClaimState.DRAFT, ClaimState.VALIDATED, _AUDIT, needs_reason=False),  # internal audit checked the evidence
    Move(ClaimState.DRAFT, ClaimState.REJECTED, _AUDIT, needs_reason=True),  # the evidence does not hold
    Move(ClaimState.VALIDATED, ClaimState.DRAFT, _AUDIT, needs_reason=True),  # sent back for another look
    Move(ClaimState.VALIDATED, ClaimState.SUBMITTED, _MANAGER, needs_reason=False),
    Move(ClaimState.SUBMITTED, ClaimState.PAID, _MANAGER, needs_reason=False),
    Move(ClaimState.SUBMITTED, ClaimState.REJECTED, _MANAGER, needs_reason=True),  # the department refused it
)


class MoveError(ValueError):
    """A move the state machine does not allow, or one without its reason."""


def move_for(source: ClaimState, target: ClaimState) -> Move:
    for move in MOVES:
        if move.source is source and move.target is target:
            return move
    raise MoveError(f"a claim cannot go from {source.label.lower()} to {target.label.lower()}")


def check_move(*, source: ClaimState, target: ClaimState, roles: frozenset[Role], reason: str) -> Move:
    """The move if these roles may make it with this reason; MoveError otherwise."""
    move = move_for(source, target)
    if not roles & move.roles and Role.ADMINISTRATOR not in roles:
        needed = " or ".join(sorted(role.value.replace("_", " ") for role in move.roles))
        raise MoveError(f"moving a claim to {target.label.lower()} needs the role {needed}")
    if move.needs_reason and not reason.strip():
        raise MoveError(f"say why the claim goes to {target.label.lower()}")
    return move


def next_states(source: ClaimState) -> tuple[ClaimState, ...]:
    return tuple(move.target for move in MOVES if move.source is source)
