"""The access policy: may this user see or change this object?

Every selector scopes its queryset with `scope()`; every view that fetches one object by id uses
`get_object_for()`, which answers 404 for objects out of the user's reach (never revealing that they
exist), 403 for objects in reach but not for this action, audits every denial, and audits each read
of a personal record (fetching one for a change form is a read). The rules themselves are pure:
`wholefamily.domain.roles.decide`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from wholefamily.domain.roles import (
    COUNTY_WIDE_ROLES,
    NO_PERSONAL_DATA_ROLES,
    TEAM_SCOPED_ROLES,
    Action,
    Actor,
    Decision,
    Role,
    Target,
    decide,
)
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent

M = TypeVar("M", bound=models.Model)
AnyUser = AbstractBaseUser | AnonymousUser

_ROLE_VALUES = {role.value for role in Role}


def user_roles(user: AnyUser) -> frozenset[Role]:
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_wholefamily_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)  # type: ignore[attr-defined]
        cached = frozenset(Role(name) for name in names if name in _ROLE_VALUES)
        user._wholefamily_roles = cached  # type: ignore[attr-defined]
    return cached


def has_role(user: AnyUser, *roles: Role) -> bool:
    return bool(getattr(user, "is_superuser", False) or user_roles(user) & set(roles))


def user_team_ids(user: AnyUser) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    profile = getattr(user, "staff_profile", None)
    return frozenset({profile.team_id}) if profile is not None and profile.team_id else frozenset()


def actor_for(user: AnyUser) -> Actor:
    return Actor(
        roles=user_roles(user),
        team_ids=user_team_ids(user),
        is_superuser=bool(getattr(user, "is_superuser", False)),
        user_id=int(user.pk) if user.is_authenticated and user.pk is not None else None,
    )


def _team_ids_of(obj: models.Model, team_field: str | None) -> frozenset[int]:
    """The owning team of `obj`, following `team_field` ("team", "case__team", or "pk" for a Team itself)."""
    if team_field is None:
        return frozenset()
    if team_field == "pk":
        return frozenset({int(obj.pk)})
    *path, last = team_field.split("__")
    owner: Any = obj
    for part in path:
        owner = getattr(owner, part, None)
        if owner is None:
            return frozenset()
    team_id = getattr(owner, f"{last}_id", None)
    return frozenset({int(team_id)}) if team_id is not None else frozenset()


def check(
    user: AnyUser,
    action: Action,
    obj: models.Model,
    *,
    team_field: str | None,
    is_personal: bool,
    worker_field: str | None = None,
) -> Decision:
    """`worker_field` names the allocated key worker of a caseload object ("key_worker", "case__key_worker")."""
    worker_ids = None if worker_field is None else _team_ids_of(obj, worker_field)
    target = Target(team_ids=_team_ids_of(obj, team_field), is_personal=is_personal, worker_ids=worker_ids)
    return decide(actor_for(user), action, target)


def scope(
    user: AnyUser,
    queryset: models.QuerySet[M],
    *,
    team_field: str | None = "team",
    is_personal: bool = True,
    worker_field: str | None = None,
) -> models.QuerySet[M]:
    """Only the rows this user may see. Mirrors `decide` for the VIEW action, at the source."""
    actor = actor_for(user)
    if actor.is_superuser:
        return queryset
    if not actor.roles or (is_personal and actor.roles <= NO_PERSONAL_DATA_ROLES):
        return queryset.none()
    if actor.roles & COUNTY_WIDE_ROLES or (not is_personal and actor.roles & NO_PERSONAL_DATA_ROLES):
        return queryset
    if team_field is None:
        return queryset if not is_personal else queryset.none()
    if actor.roles & TEAM_SCOPED_ROLES and actor.team_ids:
        queryset = queryset.filter(**{f"{team_field}__in": actor.team_ids})
        if worker_field is not None and Role.TEAM_MANAGER not in actor.roles:
            own_or_unallocated = models.Q(**{f"{worker_field}__isnull": True}) | models.Q(
                **{worker_field: actor.user_id}
            )
            queryset = queryset.filter(own_or_unallocated)
        return queryset
    return queryset.none()


def get_object_for(
    user: AnyUser,
    queryset: models.QuerySet[M],
    *,
    action: Action = Action.VIEW,
    team_field: str | None = "team",
    is_personal: bool = True,
    worker_field: str | None = None,
    **lookup: Any,
) -> M:
    """Fetch one object for this user and action, or raise Http404 / PermissionDenied (audited)."""
    model = queryset.model
    try:
        obj = queryset.get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None
    decision = check(user, action, obj, team_field=team_field, is_personal=is_personal, worker_field=worker_field)
    if not decision.allowed:
        record(
            by=user,
            action=action.value,
            obj=obj,
            outcome=AuditEvent.Outcome.DENIED,
            detail={"decision": decision.value},
        )
        if decision is Decision.INVISIBLE:
            raise Http404
        raise PermissionDenied
    if is_personal:
        # Fetching a personal record to change it is a read too: its change form shows the record (ADR 0014).
        record(by=user, action="view", obj=obj, detail={} if action is Action.VIEW else {"for": action.value})
    return obj
