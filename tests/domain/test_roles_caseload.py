"""A key worker reaches only their own caseload and their team's unallocated families; a manager the whole team's."""

import pytest

from wholefamily.domain.roles import Action, Actor, Decision, Role, Target, decide

TEAM_A, TEAM_B = 1, 2
ME, COLLEAGUE = 10, 11


def family(team: int, *workers: int) -> Target:
    return Target(team_ids=frozenset({team}), is_personal=True, worker_ids=frozenset(workers))


def actor(*roles: Role, team: int = TEAM_A, user_id: int | None = ME) -> Actor:
    return Actor(roles=frozenset(roles), team_ids=frozenset({team}), user_id=user_id)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (family(TEAM_A, ME), Decision.ALLOW),
        (family(TEAM_A), Decision.ALLOW),
        (family(TEAM_A, COLLEAGUE), Decision.INVISIBLE),
        (family(TEAM_B), Decision.INVISIBLE),
        (family(TEAM_B, ME), Decision.INVISIBLE),
    ],
)
def test_key_worker_reaches_own_caseload_and_unallocated(action: Action, target: Target, expected: Decision) -> None:
    assert decide(actor(Role.KEY_WORKER), action, target) is expected


@pytest.mark.parametrize("action", list(Action))
def test_team_manager_reaches_every_family_of_the_team(action: Action) -> None:
    for roles in ((Role.TEAM_MANAGER,), (Role.TEAM_MANAGER, Role.KEY_WORKER)):
        assert decide(actor(*roles), action, family(TEAM_A, COLLEAGUE)) is Decision.ALLOW
        assert decide(actor(*roles), action, family(TEAM_B, COLLEAGUE)) is Decision.INVISIBLE


def test_county_wide_roles_are_not_limited_by_caseload() -> None:
    assert decide(actor(Role.PROGRAMME_MANAGER), Action.CHANGE, family(TEAM_B, COLLEAGUE)) is Decision.ALLOW
    assert decide(actor(Role.AUDITOR), Action.VIEW, family(TEAM_B, COLLEAGUE)) is Decision.ALLOW


def test_key_worker_without_a_user_id_reaches_only_unallocated() -> None:
    assert decide(actor(Role.KEY_WORKER, user_id=None), Action.VIEW, family(TEAM_A, ME)) is Decision.INVISIBLE
    assert decide(actor(Role.KEY_WORKER, user_id=None), Action.VIEW, family(TEAM_A)) is Decision.ALLOW


def test_objects_not_on_a_caseload_are_unaffected() -> None:
    assert decide(actor(Role.KEY_WORKER), Action.VIEW, Target(frozenset({TEAM_A}), True)) is Decision.ALLOW
