"""Staff roles and what each may do with an object, as a pure decision.

The operational plane maps users onto `Actor` and objects onto `Target`; `decide` answers.
Rules (ADR 0002):
- Objects out of the actor's reach are *invisible*: the caller answers 404, never revealing them.
- Objects within reach but for an action the role may not take are *forbidden*: the caller answers 403.
- Team-scoped roles (key worker, team manager) reach only their own teams' objects.
- County-wide roles (programme manager, data analyst, auditor, administrator) reach every team's.
- A commissioner sees no personal records at all: commissioning works on aggregates.
- A provider (a commissioned service's own staff) sees no personal records either, and changes nothing of the
  council's: they enter the quarterly monitoring returns of their own contracts only, which the commissioning app
  scopes by the contract's provider users (ADR 0027).
- Auditors read everything and change no case record; their verdict on a results claim (validate, reject, send
  back) is an audit act the claims rules allow, not a change to a case (ADR 0014, amending ADR 0002).
- A key worker (without the team manager role) reaches only the families allocated to them and their
  team's unallocated families; a team manager reaches all the team's families.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    KEY_WORKER = "key_worker"
    TEAM_MANAGER = "team_manager"
    PROGRAMME_MANAGER = "programme_manager"
    DATA_ANALYST = "data_analyst"
    COMMISSIONER = "commissioner"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    PROVIDER = "provider"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.KEY_WORKER: "Key worker",
    Role.TEAM_MANAGER: "Team manager",
    Role.PROGRAMME_MANAGER: "Programme manager",
    Role.DATA_ANALYST: "Data analyst",
    Role.COMMISSIONER: "Commissioner",
    Role.AUDITOR: "Auditor",
    Role.ADMINISTRATOR: "Administrator",
    Role.PROVIDER: "Provider",
}

TEAM_SCOPED_ROLES = frozenset({Role.KEY_WORKER, Role.TEAM_MANAGER})
COUNTY_WIDE_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.DATA_ANALYST, Role.AUDITOR, Role.ADMINISTRATOR})
READ_ONLY_ROLES = frozenset({Role.AUDITOR})
NO_PERSONAL_DATA_ROLES = frozenset({Role.COMMISSIONER, Role.PROVIDER})


class Action(enum.StrEnum):
    VIEW = "view"
    CHANGE = "change"


class Decision(enum.StrEnum):
    ALLOW = "allow"
    FORBIDDEN = "forbidden"  # visible, but this action is not allowed: 403
    INVISIBLE = "invisible"  # out of reach: 404

    @property
    def allowed(self) -> bool:
        return self is Decision.ALLOW


@dataclass(frozen=True)
class Actor:
    roles: frozenset[Role]
    team_ids: frozenset[int] = field(default_factory=frozenset)
    is_superuser: bool = False
    user_id: int | None = None


@dataclass(frozen=True)
class Target:
    """What the policy needs to know of an object.

    team_ids: the teams that own the object (empty means county-wide, not owned by a team).
    is_personal: whether it is a personal record (a person, a family, a staff member's record).
    worker_ids: for an object on a caseload (a family), the key workers allocated to it (empty: unallocated);
        None for objects that are not on a caseload.
    """

    team_ids: frozenset[int]
    is_personal: bool
    worker_ids: frozenset[int] | None = None


def reaches(actor: Actor, target: Target) -> bool:
    """Whether the object is within the actor's reach (visible at all)."""
    if actor.is_superuser:
        return True
    if not actor.roles:
        return False
    if target.is_personal and actor.roles <= NO_PERSONAL_DATA_ROLES:
        return False
    if actor.roles & COUNTY_WIDE_ROLES:
        return True
    if not target.is_personal and actor.roles & NO_PERSONAL_DATA_ROLES:
        return True
    if not target.team_ids:
        # Not owned by a team: county-wide reference objects are visible; personal ones need a county-wide role.
        return not target.is_personal
    return (
        bool(actor.roles & TEAM_SCOPED_ROLES)
        and bool(actor.team_ids & target.team_ids)
        and on_caseload_or_unallocated(actor, target)
    )


def on_caseload_or_unallocated(actor: Actor, target: Target) -> bool:
    """A key worker who does not manage the team reaches only their own caseload and unallocated families."""
    if target.worker_ids is None or Role.TEAM_MANAGER in actor.roles:
        return True
    return not target.worker_ids or (actor.user_id is not None and actor.user_id in target.worker_ids)


def decide(actor: Actor, action: Action, target: Target) -> Decision:
    if not reaches(actor, target):
        return Decision.INVISIBLE
    if action is Action.VIEW or actor.is_superuser:
        return Decision.ALLOW
    writable_roles = actor.roles - READ_ONLY_ROLES - {Role.COMMISSIONER, Role.DATA_ANALYST, Role.PROVIDER}
    if not writable_roles:
        return Decision.FORBIDDEN
    if writable_roles & {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER}:
        return Decision.ALLOW
    if writable_roles & TEAM_SCOPED_ROLES and actor.team_ids & target.team_ids:
        return Decision.ALLOW
    return Decision.FORBIDDEN
