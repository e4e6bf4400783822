"""Who is calling: the bearer token, its scopes and its rate limit (ADR 0026).

A call is made as the token's user: `request.user` becomes that user, so the apps' selectors, the access door and
the audit log treat the call exactly as they treat a web request by the same person.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer

from wholefamily.api import tokens
from wholefamily.api.models import ApiToken
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent


class TokenRefused(Exception):
    """401: no usable token (unknown, expired, revoked)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ScopeRefused(Exception):
    """403: the token is not scoped to this resource at this level."""


class HostileText(Exception):
    """422: text holding the NUL character, which no record may hold (PostgreSQL refuses it)."""


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def refuse_nul(request: HttpRequest) -> None:
    """Refuse a call whose address, query, headers or JSON body hold the NUL character, before any of it reaches
    the database."""
    if "\x00" in request.path or any(_holds_nul(k) or _holds_nul(v) for k, v in request.GET.lists()):
        raise HostileText
    if any("\x00" in value for value in request.headers.values()):
        raise HostileText
    if request.content_type == "multipart/form-data":
        # A delivered file may be binary: only its form fields are text (the import checks the file itself).
        if any(_holds_nul(k) or _holds_nul(v) for k, v in request.POST.lists()):
            raise HostileText
        if any("\x00" in (upload.name or "") for _, uploads in request.FILES.lists() for upload in uploads):
            raise HostileText
        return
    body = request.body
    if b"\\u0000" in body or b"\x00" in body:
        try:
            parsed = json.loads(body)
        except ValueError:
            raise HostileText from None
        if _holds_nul(parsed):
            raise HostileText


class RateLimited(Exception):
    """429: too many calls with this token in the window."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds


class BearerToken(HttpBearer):
    """`Authorization: Bearer wf_...`; the sign-in cookie of the web pages is never accepted here."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = tokens.token_for(token.strip())
        if isinstance(found, tokens.Refusal):
            raise TokenRefused(found.reason)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        wait = tokens.count_call(found)
        if wait is not None:
            raise RateLimited(wait)
        return found


def need(request: HttpRequest, resource: str, level: str) -> User:
    """The calling user, if the token is scoped to `resource` at `level`; else ScopeRefused (audited)."""
    refuse_nul(request)
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    user = token.user
    if not token.allows(resource, level):
        record(
            by=user,
            action="api.call",
            obj=token,
            outcome=AuditEvent.Outcome.DENIED,
            detail={"scope": f"{resource}:{level}", "path": request.path[:200]},
        )
        raise ScopeRefused(f"The token may not {level} {resource}.")
    return user


def via(request: HttpRequest, **detail: Any) -> dict[str, Any]:
    """Audit detail naming the token a read came through."""
    token: ApiToken | None = getattr(request, "api_token", None)
    return {"via": "api", **({"token": token.prefix} if token else {}), **detail}
