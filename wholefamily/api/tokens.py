"""Making, checking and revoking API tokens, and the per-token rate limit (ADR 0026).

A token reads `wf_<prefix>_<secret>`: the prefix finds the row, the secret is checked against its SHA-256 digest.
The secret is 256 random bits, so a fast digest is enough (a slow password hash guards guessable secrets, not
random ones) and keeps each call cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from wholefamily.api.models import ALL_SCOPES, ApiToken
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent, Team

TOKEN_START = "wf_"  # noqa: S105 (the marker every token starts with, not a secret)
MAX_DAYS = 366


class TokenError(Exception):
    """A token request the rules refuse; the message is shown to the user."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def make_token(*, user: User, name: str, scopes: list[str], expires_at: datetime, by: User) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token itself, which is never shown again."""
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown or not scopes:
        raise TokenError("Choose at least one thing the token may do.")
    now = timezone.now()
    if expires_at <= now:
        raise TokenError("The expiry date must be in the future.")
    if expires_at > now + timedelta(days=MAX_DAYS):
        raise TokenError("A token can last at most a year.")
    if not user.is_active:
        raise TokenError("The token's user has been deactivated.")
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:120] or "API token",
            prefix=prefix,
            secret_digest=_digest(secret),
            scopes=sorted(set(scopes)),
            created_by=by,
            expires_at=expires_at,
        )
        record(by=by, action="api.make_token", obj=token, detail={"for": user.get_username(), "scopes": token.scopes})
    return token, f"{TOKEN_START}{prefix}_{secret}"


def revoke_token(*, token: ApiToken, by: User) -> ApiToken:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        if updated:
            record(by=by, action="api.revoke_token", obj=token)
    token.refresh_from_db()
    return token


@dataclass(frozen=True)
class Refusal:
    """Why a bearer token was refused (said in the 401's words)."""

    reason: str


def token_for(raw: str) -> ApiToken | Refusal:
    """The live token a bearer string names, or why not. An expired or revoked token's use is audited (denied)."""
    if not raw.startswith(TOKEN_START) or raw.count("_") < 2 or len(raw) > 200:
        return Refusal("The token is not a WholeFamily API token.")
    prefix, _, secret = raw[len(TOKEN_START) :].partition("_")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_digest, _digest(secret)):
        return Refusal("The token is not known.")
    why = ""
    if token.is_revoked:
        why = "The token has been revoked."
    elif token.is_expired():
        why = "The token has expired."
    elif not token.user.is_active:
        why = "The token's user has been deactivated."
    if why:
        record(
            by=token.user,
            action="api.call",
            obj=token,
            outcome=AuditEvent.Outcome.DENIED,
            detail={"reason": why},
        )
        return Refusal(why)
    return token


def rate_limit() -> tuple[int, int]:
    """Calls a token may make per window, and the window in seconds (settings, else 600 a minute)."""
    calls = int(getattr(settings, "WHOLEFAMILY_API_RATE_LIMIT", 600))
    seconds = int(getattr(settings, "WHOLEFAMILY_API_RATE_WINDOW_SECONDS", 60))
    return calls, seconds


def count_call(token: ApiToken) -> int | None:
    """Count one call in the token's fixed window (and mark it used); the seconds to wait if over the limit.

    Counted in the database with one conditional UPDATE, so that every web process shares the count and two calls
    at once cannot both take the last place."""
    limit, seconds = rate_limit()
    now = timezone.now()
    window_start = now - timedelta(seconds=seconds)
    over = Q(window_started_at__isnull=True) | Q(window_started_at__lte=window_start)
    fresh = ApiToken.objects.filter(over, pk=token.pk).update(window_started_at=now, window_calls=1, last_used_at=now)
    if fresh:
        return None
    counted = ApiToken.objects.filter(pk=token.pk, window_calls__lt=limit).update(
        window_calls=F("window_calls") + 1, last_used_at=now
    )
    if counted:
        return None
    started = ApiToken.objects.filter(pk=token.pk).values_list("window_started_at", flat=True).first() or now
    return max(1, int((started + timedelta(seconds=seconds) - now).total_seconds()) + 1)


def make_service_account(*, username: str, purpose: str, role: str, team: Team | None, by: User) -> User:
    """A user with no password (it cannot sign in to the pages) that acts through tokens under a role and team."""
    from django.contrib.auth.models import Group

    from wholefamily.api.models import ServiceAccount
    from wholefamily.governance.models import StaffProfile

    with transaction.atomic():
        user = User.objects.create(username=username, first_name="Service account", last_name=username)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        StaffProfile.objects.create(user=user, team=team, job_title="Service account", agency=purpose[:120])
        ServiceAccount.objects.create(user=user, purpose=purpose, created_by=by)
        record(by=by, action="api.make_service_account", obj=user, detail={"role": role})
    return user
