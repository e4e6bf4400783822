"""The API: `/api/v1/`, its OpenAPI document generated from the code, and the answers to refused calls (ADR 0026)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from wholefamily.api.paging import BadCursor
from wholefamily.api.resources import (
    audit,
    cases,
    claims,
    deliveries,
    extracts,
    identification,
    jobs,
    outcomes,
    referrals,
)
from wholefamily.api.security import BearerToken, HostileText, RateLimited, ScopeRefused, TokenRefused
from wholefamily.cases.services import CaseError, StaleRecordError

DESCRIPTION = """The WholeFamily API for a council's other systems: case systems push referrals and pull a
family's status, warehouses pull data, analysts script the service.

Every call carries `Authorization: Bearer <token>`. A token acts as its user (a person or a service account) and
sees exactly what that user sees on the web pages; it is further limited to the resources and the read or write
access it was made for. Lists are paged with a cursor: pass each page's `next_cursor` back as `cursor`.
Changes carry the record's `version`; a stale version answers 409. A new referral carries an `Idempotency-Key`
header: sending it again answers as the first time did, and records nothing twice."""

api = NinjaAPI(
    title="WholeFamily API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=BearerToken(),
    docs_url=None,  # the reference page is ours, served without any outside assets (ADR 0026)
)

for router_module in (cases, referrals, identification, jobs, audit, outcomes, claims, deliveries, extracts):
    api.add_router(router_module.PREFIX, router_module.router)


def _answer(request: HttpRequest, status: int, detail: Any, **extra: Any) -> HttpResponse:
    response = api.create_response(request, {"detail": detail, **extra}, status=status)
    return response


@api.exception_handler(TokenRefused)
def _token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    response = _answer(request, 401, exc.reason)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(ScopeRefused)
def _scope_refused(request: HttpRequest, exc: ScopeRefused) -> HttpResponse:
    return _answer(request, 403, str(exc))


@api.exception_handler(HostileText)
def _hostile_text(request: HttpRequest, exc: HostileText) -> HttpResponse:
    return _answer(request, 422, "Text may not hold the NUL character.")


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = _answer(request, 429, "Too many calls with this token: wait and try again.")
    response["Retry-After"] = str(exc.wait_seconds)
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _answer(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _answer(request, 404, "Not found.")


@api.exception_handler(StaleRecordError)
def _stale(request: HttpRequest, exc: StaleRecordError) -> HttpResponse:
    return _answer(request, 409, str(exc))


@api.exception_handler(CaseError)
def _refused(request: HttpRequest, exc: CaseError) -> HttpResponse:
    return _answer(request, 422, str(exc))


@api.exception_handler(BadCursor)
def _bad_cursor(request: HttpRequest, exc: BadCursor) -> HttpResponse:
    return _answer(request, 400, str(exc))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": error.get("type", ""),
        }
        for error in exc.errors
    ]
    return _answer(request, 422, errors)
