"""The token pages: make a token (shown once), list and revoke; service accounts made by administrators."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from wholefamily.api.models import ApiToken, ServiceAccount
from wholefamily.api.tests.conftest import County
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _expiry(days: int = 30) -> dict[str, str]:
    on = timezone.localdate() + timezone.timedelta(days=days)
    return {"expires_on_day": str(on.day), "expires_on_month": str(on.month), "expires_on_year": str(on.year)}


def test_a_token_is_shown_once_and_only_its_digest_is_kept(county: County) -> None:
    worker = county.users["north_worker"]
    client = _signed_in(worker)
    page = client.get("/account/api-tokens/new/").content.decode()
    for scope in ("outcomes:read", "claims:read", "deliveries:write", "deliveries:read"):
        assert f'value="{scope}"' in page, scope
    form = {"name": "Children's case system", "scopes": ["cases:read", "referrals:write"], **_expiry()}
    made = client.post("/account/api-tokens/new/", form)
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    secret = re.search(r'value="(wf_[^"]+)"', made.content.decode()).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=worker)
    assert secret not in token.secret_digest and token.scopes == ["cases:read", "referrals:write"]
    answer = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200
    listed = client.get("/account/api-tokens/").content.decode()
    assert "Children&#x27;s case system" in listed and secret not in listed
    assert AuditEvent.objects.filter(action="api.make_token", actor=worker).exists()


def test_refusals_on_the_token_form(county: County) -> None:
    client = _signed_in(county.users["north_worker"])
    empty = client.post("/account/api-tokens/new/", {})
    assert empty.status_code == 400 and "Choose at least one thing the token may do" in empty.content.decode()
    too_long = client.post("/account/api-tokens/new/", {"name": "x", "scopes": ["cases:read"], **_expiry(400)})
    assert too_long.status_code == 400 and "at most a year" in too_long.content.decode()
    hostile = client.post("/account/api-tokens/new/", {"name": "x", "scopes": ["admin:everything"], **_expiry()})
    assert hostile.status_code == 400 and not ApiToken.objects.exists()


def test_owner_or_administrator_revokes_nobody_else(county: County, make_staff: Callable[..., Any]) -> None:
    from wholefamily.domain.roles import Role

    worker, colleague = county.users["north_worker"], county.users["north_manager"]
    client = _signed_in(worker)
    client.post("/account/api-tokens/new/", {"name": "A", "scopes": ["cases:read"], **_expiry()})
    token = ApiToken.objects.get(user=worker)
    assert _signed_in(colleague).post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/account/api-tokens/{token.pk}/revoke/").status_code == 405
    assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == worker
    administrator = make_staff("ann.admin", Role.ADMINISTRATOR)
    client.post("/account/api-tokens/new/", {"name": "B", "scopes": ["cases:read"], **_expiry()})
    second = ApiToken.objects.get(user=worker, name="B")
    assert _signed_in(administrator).post(f"/account/api-tokens/{second.pk}/revoke/").status_code == 302
    assert AuditEvent.objects.filter(action="api.revoke_token").count() == 2


def test_an_administrator_makes_a_service_account_and_its_token(county: County, make_staff: Callable[..., Any]) -> None:
    from wholefamily.domain.roles import Role

    administrator = _signed_in(make_staff("ann.admin", Role.ADMINISTRATOR))
    assert _signed_in(county.users["north_manager"]).get("/staff/service-accounts/new/").status_code == 403
    form = {"username": "childrens-case-system", "purpose": "Pushes referrals", "role": "team_manager",
            "team": county.north.pk}  # fmt: skip
    assert administrator.post("/staff/service-accounts/new/", form).status_code == 302
    account = ServiceAccount.objects.get().user
    assert not account.has_usable_password() and account.staff_profile.team == county.north
    made = administrator.post(
        "/account/api-tokens/new/",
        {"name": "Case system", "scopes": ["referrals:write"], "user": account.pk, **_expiry()},
    )
    secret = re.search(r'value="(wf_[^"]+)"', made.content.decode()).group(1)  # type: ignore[union-attr]
    listed = Client().get("/api/v1/referrals", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["items"]
    assert listed == []  # a team manager of the north team: no referrals yet
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 403  # scope
