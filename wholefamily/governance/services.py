"""Writes: one function per action. Each checks access, changes, and audits in one transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import StaffProfile, Team


def _require_administrator(by: AbstractUser) -> None:
    if not access.has_role(by, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator may manage teams and staff.")


@transaction.atomic
def create_team(*, name: str, district: str, caseload_limit: int = 8, by: AbstractUser) -> Team:
    _require_administrator(by)
    team = Team.objects.create(name=name, district=district, caseload_limit=caseload_limit)
    record(by=by, action="create", obj=team, detail={"before": None, "after": _team_fields(team)})
    return team


def _team_fields(team: Team) -> dict[str, object]:
    return {"name": team.name, "district": team.district, "caseload_limit": team.caseload_limit}


@transaction.atomic
def change_team(*, team: Team, name: str, district: str, caseload_limit: int, by: AbstractUser) -> Team:
    """A team's name, district or caseload limit changed, audited with what it was before and after."""
    _require_administrator(by)
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = _team_fields(team)
    team.name, team.district, team.caseload_limit = name, district, caseload_limit
    team.save(update_fields=["name", "district", "caseload_limit"])
    after = _team_fields(team)
    if after != before:
        record(by=by, action="change", obj=team, detail={"before": before, "after": after})
    return team


@transaction.atomic
def add_staff_member(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: set[Role],
    team: Team | None,
    job_title: str = "",
    password: str | None = None,
    by: AbstractUser,
) -> StaffProfile:
    """Create a user with their roles and team. Without a password the account cannot sign in until one is set."""
    _require_administrator(by)
    user = get_user_model().objects.create_user(
        username=username, first_name=first_name, last_name=last_name, email=email, password=password
    )
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    profile = StaffProfile.objects.create(user=user, team=team, job_title=job_title)
    record(
        by=by,
        action="create",
        obj=profile,
        detail={"roles": sorted(role.value for role in roles), "team_id": team.pk if team else None},
    )
    return profile


@transaction.atomic
def set_roles(*, profile: StaffProfile, roles: set[Role], by: AbstractUser) -> StaffProfile:
    _require_administrator(by)
    before = sorted(profile.user.groups.values_list("name", flat=True))
    profile.user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    record(
        by=by, action="change_roles", obj=profile, detail={"before": before, "after": sorted(r.value for r in roles)}
    )
    return profile
