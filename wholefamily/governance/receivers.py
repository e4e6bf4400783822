"""Audit of sign-in, sign-out and failed sign-in (side effects of Django's auth signals; no business logic).

The administrator role has no permissions in Django's admin: the admin is for superusers only (ADR 0014)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
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
