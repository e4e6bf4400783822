"""Audit of sign-in, sign-out and failed sign-in (side effects of Django's auth signals; no business logic),
and the administrator group's admin permissions, kept in step after every migrate."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent


@receiver(user_logged_in, dispatch_uid="audit_login")
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(by=user, action="sign_in", obj=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(by=user, action="sign_out", obj=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The attempted username is kept (it is what an investigation needs); the password never is.
    record(
        by=None,
        action="sign_in",
        outcome=AuditEvent.Outcome.FAILED,
        detail={"username": str(credentials.get("username", ""))[:150]},
    )


# What the administrator role may manage in Django's admin: accounts, teams, agreements, and read the audit log.
# Nothing holding families' personal data is managed there (those reads go through audited views).
ADMINISTRATOR_ADMIN_PERMISSIONS = {
    "auth": {"user": ("add", "change", "view"), "group": ("view",)},
    "governance": {
        "team": ("add", "change", "view"),
        "staffprofile": ("add", "change", "view"),
        "datasharingagreement": ("add", "change", "view"),
        "auditevent": ("view",),
    },
}


@receiver(post_migrate, dispatch_uid="administrator_permissions")
def _grant_administrator_permissions(sender: Any, **kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    from wholefamily.domain.roles import Role

    group, _created = Group.objects.get_or_create(name=Role.ADMINISTRATOR.value)
    wanted = [
        Permission.objects.filter(content_type__app_label=app, codename=f"{verb}_{model}").first()
        for app, models in ADMINISTRATOR_ADMIN_PERMISSIONS.items()
        for model, verbs in models.items()
        for verb in verbs
    ]
    group.permissions.add(*[permission for permission in wanted if permission is not None])
