"""The pure access policy: who reaches which object, and who may change it."""

import pytest

from wholefamily.domain.roles import Action, Actor, Decision, Role, Target, decide

TEAM_A, TEAM_B = 1, 2
PERSONAL_A = Target(team_ids=frozenset({TEAM_A}), is_personal=True)
PERSONAL_B = Target(team_ids=frozenset({TEAM_B}), is_personal=True)
COUNTY_REFERENCE = Target(team_ids=frozenset(), is_personal=False)


def actor(*roles: Role, team: int | None = TEAM_A) -> Actor:
    return Actor(roles=frozenset(roles), team_ids=frozenset({team}) if team else frozenset())


@pytest.mark.parametrize("role", [Role.KEY_WORKER, Role.TEAM_MANAGER])
def test_team_roles_reach_their_own_team_only(role: Role) -> None:
    assert decide(actor(role), Action.VIEW, PERSONAL_A) is Decision.ALLOW
    assert decide(actor(role), Action.CHANGE, PERSONAL_A) is Decision.ALLOW
    assert decide(actor(role), Action.VIEW, PERSONAL_B) is Decision.INVISIBLE
    assert decide(actor(role), Action.CHANGE, PERSONAL_B) is Decision.INVISIBLE


def test_team_role_without_a_team_reaches_no_team_object() -> None:
    assert decide(actor(Role.KEY_WORKER, team=None), Action.VIEW, PERSONAL_A) is Decision.INVISIBLE


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.DATA_ANALYST, Role.AUDITOR, Role.ADMINISTRATOR])
def test_county_wide_roles_see_every_team(role: Role) -> None:
    assert decide(actor(role, team=None), Action.VIEW, PERSONAL_B) is Decision.ALLOW


def test_auditor_and_analyst_read_but_never_change() -> None:
    for role in (Role.AUDITOR, Role.DATA_ANALYST):
        assert decide(actor(role), Action.CHANGE, PERSONAL_A) is Decision.FORBIDDEN


def test_programme_manager_and_administrator_may_change_any_team() -> None:
    for role in (Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR):
        assert decide(actor(role, team=None), Action.CHANGE, PERSONAL_B) is Decision.ALLOW


def test_commissioner_sees_no_personal_record_but_sees_reference_objects() -> None:
    assert decide(actor(Role.COMMISSIONER, team=None), Action.VIEW, PERSONAL_A) is Decision.INVISIBLE
    assert decide(actor(Role.COMMISSIONER, team=None), Action.VIEW, COUNTY_REFERENCE) is Decision.ALLOW
    assert decide(actor(Role.COMMISSIONER, team=None), Action.CHANGE, COUNTY_REFERENCE) is Decision.FORBIDDEN


def test_no_roles_reach_nothing() -> None:
    assert decide(Actor(roles=frozenset()), Action.VIEW, COUNTY_REFERENCE) is Decision.INVISIBLE


def test_superuser_reaches_everything() -> None:
    assert decide(Actor(roles=frozenset(), is_superuser=True), Action.CHANGE, PERSONAL_B) is Decision.ALLOW


def test_personal_record_of_no_team_needs_a_county_wide_role() -> None:
    unowned = Target(team_ids=frozenset(), is_personal=True)
    assert decide(actor(Role.KEY_WORKER), Action.VIEW, unowned) is Decision.INVISIBLE
    assert decide(actor(Role.DATA_ANALYST), Action.VIEW, unowned) is Decision.ALLOW
