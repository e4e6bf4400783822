"""Staff administration (writes): change a member of staff's roles, team or job title, reset their password,
deactivate or reactivate them. Each checks that an administrator acts, changes, and audits in one transaction.

Creating a member of staff is `services.add_staff_member`. A superuser is made only from the command line
(`wholefamily createsuperuser`): nothing here sets `is_superuser` or `is_staff`, and an administrator who is not a
superuser cannot change a superuser's account (that would let them sign in as one).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import StaffProfile, Team

AnyUser = AbstractBaseUser | AnonymousUser


class StaffChangeError(Exception):
    """A change the service refuses, with a message for the administrator."""


def may_administer(user: AnyUser) -> bool:
    return access.has_role(user, Role.ADMINISTRATOR)


def _require_may_change(profile: StaffProfile, by: AnyUser) -> None:
    if not may_administer(by):
        record(by=by, action="staff.change", obj=profile, outcome="denied")
        raise PermissionDenied("Only an administrator may manage staff.")
    if profile.user.is_superuser and not getattr(by, "is_superuser", False):
        record(by=by, action="staff.change", obj=profile, outcome="denied", detail={"reason": "superuser account"})
        raise PermissionDenied("Only a superuser may change a superuser's account.")


def _role_names(profile: StaffProfile) -> list[str]:
    return sorted(profile.user.groups.values_list("name", flat=True))


@transaction.atomic
def change_staff(
    *, profile: StaffProfile, roles: set[Role], team: Team | None, job_title: str, by: AnyUser
) -> StaffProfile:
    """Set a member of staff's roles, team and job title. An administrator cannot remove their own administrator role
    (the council would be left without one by mistake)."""
    _require_may_change(profile, by)
    if profile.user_id == by.pk and Role.ADMINISTRATOR not in roles:
        raise StaffChangeError("You cannot remove your own administrator role. Ask another administrator.")
    if not roles:
        raise StaffChangeError("Choose at least one role.")
    before = {"roles": _role_names(profile), "team": profile.team.name if profile.team else "",
              "job_title": profile.job_title}  # fmt: skip
    profile.user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    profile.team = team
    profile.job_title = job_title
    profile.save(update_fields=["team", "job_title"])
    after = {"roles": sorted(role.value for role in roles), "team": team.name if team else "", "job_title": job_title}
    changed = {key: {"before": before[key], "after": after[key]} for key in after if before[key] != after[key]}
    record(by=by, action="staff.change", obj=profile, detail=changed)
    return profile


@transaction.atomic
def reset_password(*, profile: StaffProfile, password: str, by: AnyUser) -> StaffProfile:
    """Give a member of staff a new password (checked against the password rules); the password is never audited."""
    _require_may_change(profile, by)
    validate_password(password, user=profile.user)
    profile.user.set_password(password)
    profile.user.save(update_fields=["password"])
    record(by=by, action="staff.reset_password", obj=profile)
    return profile


@transaction.atomic
def set_active(*, profile: StaffProfile, is_active: bool, by: AnyUser) -> StaffProfile:
    """Deactivate (they can no longer sign in; their history stays) or reactivate a member of staff."""
    _require_may_change(profile, by)
    if profile.user_id == by.pk and not is_active:
        raise StaffChangeError("You cannot deactivate your own account.")
    profile.user.is_active = is_active
    profile.user.save(update_fields=["is_active"])
    record(by=by, action="staff.reactivate" if is_active else "staff.deactivate", obj=profile)
    return profile


def reset_second_factor(*, profile: StaffProfile, by: AnyUser) -> StaffProfile:
    """Remove a member of staff's two-step verification (a lost phone): they set it up again at next sign-in."""
    from wholefamily.governance import mfa

    _require_may_change(profile, by)
    mfa.turn_off(user=profile.user, by=by)
    return profile
