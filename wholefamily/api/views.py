"""The API's pages: its reference (from the OpenAPI document) and the token pages under Your account and the staff
pages. HTTP concerns only: tokens are made and revoked by `api.tokens`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wholefamily.api import tokens
from wholefamily.api.forms import SCOPE_CHOICES, ServiceAccountForm, TokenForm
from wholefamily.api.models import ApiToken
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.web.http import posted, signed_in_user
from wholefamily.web.pages import page_for

SCOPE_WORDS = dict(SCOPE_CHOICES)
METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _is_administrator(user: Any) -> bool:
    return access.has_role(user, Role.ADMINISTRATOR)


@require_http_methods(["GET", "HEAD"])
def reference(request: HttpRequest) -> HttpResponse:
    """The API's reference, drawn from its own OpenAPI document (no outside scripts or styles)."""
    from wholefamily.api.main import api

    schema = api.get_openapi_schema(path_prefix=reverse("api:openapi-json").rsplit("/", 1)[0])
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, operations in schema["paths"].items():
        for method in METHOD_ORDER:
            operation = operations.get(method)
            if operation is None:
                continue
            parameters = [
                {
                    "name": p["name"],
                    "where": {"query": "Query", "path": "Path", "header": "Header"}.get(p["in"], p["in"]),
                    "required": p.get("required", False),
                    "description": p.get("description") or p.get("schema", {}).get("description", ""),
                }
                for p in operation.get("parameters", [])
            ]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body_name = body.get("$ref", "").rsplit("/", 1)[-1] if body else ""
            body_fields = _fields(schema, body_name)
            tag = (operation.get("tags") or ["Other"])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "parameters": parameters,
                    "body_fields": body_fields,
                    "answers": sorted(operation.get("responses", {})),
                }
            )
    context = {"info": schema["info"], "groups": groups, "scopes": SCOPE_CHOICES}
    return render(request, "api/reference.html", context)


def _fields(schema: dict[str, Any], name: str) -> list[dict[str, Any]]:
    component = schema.get("components", {}).get("schemas", {}).get(name)
    if not component:
        return []
    required = set(component.get("required", []))
    return [
        {"name": field, "required": field in required, "description": spec.get("description", "")}
        for field, spec in component.get("properties", {}).items()
    ]


def _tokens_for(user: Any) -> Any:
    """A person's own tokens; an administrator's page lists every token (people's and service accounts')."""
    found = ApiToken.objects.select_related("user", "created_by", "revoked_by")
    return found if _is_administrator(user) else found.filter(user=user.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def token_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = list(_tokens_for(user)[:200])
    record(by=user, action="view", object_type="api.apitoken", object_id="list", detail={"rows": len(rows)})
    now = timezone.now()
    context = {
        "rows": [
            {
                "token": row,
                "state": "Revoked" if row.is_revoked else ("Expired" if row.is_expired(now) else "In use"),
                "scopes": [SCOPE_WORDS.get(scope, scope) for scope in row.scopes],
            }
            for row in rows
        ],
        "is_administrator": _is_administrator(user),
    }
    return render(request, "api/token_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    service_accounts = (
        User.objects.filter(service_account__isnull=False, is_active=True).order_by("username")
        if _is_administrator(user)
        else None
    )
    form = TokenForm(
        posted(request),
        service_accounts=service_accounts,
        initial={"expires_on": timezone.localdate() + dt.timedelta(days=90)},
    )
    refusal = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = data.get("user") or user
        expires_at = timezone.make_aware(dt.datetime.combine(data["expires_on"], dt.time(23, 59, 59)))
        try:
            token, secret = tokens.make_token(
                user=owner, name=data["name"], scopes=data["scopes"], expires_at=expires_at, by=user
            )
        except tokens.TokenError as error:
            refusal = str(error)
        else:
            # Shown once, on this answer to the POST: never stored, never in a redirect or the sign-in cookie's store.
            context = {"token": token, "secret": secret, "scopes": [SCOPE_WORDS[s] for s in token.scopes]}
            return render(request, "api/token_made.html", context)  # no-store, as every signed-in page
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "refusal": refusal, "title": "Make an API token", "back_url": reverse("api_pages:tokens")}
    return render(request, "api/form.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The token's owner or an administrator revokes it; to anyone else it is not there (404)."""
    user = signed_in_user(request)
    token = _tokens_for(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    tokens.revoke_token(token=token, by=user)
    messages.success(request, f"The token “{token.name}” has been revoked: it no longer works.")
    return HttpResponseRedirect(reverse("api_pages:tokens"))


@login_required
@page_for(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def service_account_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ServiceAccountForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = tokens.make_service_account(
            username=data["username"], purpose=data["purpose"], role=data["role"], team=data["team"], by=user
        )
        messages.success(request, f"The service account {account.username} has been made: now make it a token.")
        return HttpResponseRedirect(reverse("api_pages:token_new"))
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "refusal": "",
        "title": "Make a service account",
        "back_url": reverse("api_pages:tokens"),
        "intro": "A service account is another system acting through the API under a role and a team. "
        "It has no password and cannot sign in to these pages.",
    }
    return render(request, "api/form.html", context, status=status)
