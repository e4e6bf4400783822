"""The client's address from a trusted proxy's X-Forwarded-For, for the audit log and the sign-in throttle
(ADR 0014). Before, behind a proxy every client was one address: anyone could lock any account."""

from __future__ import annotations

import ipaddress

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import TEST_PASSWORD
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent

PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.WHOLEFAMILY_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1")]


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.9", "203.0.113.9"),  # the proxy says who the client is
        (PROXY, "198.51.100.1, 203.0.113.9, 10.0.0.4", "203.0.113.9"),  # nearest hop not a proxy: earlier are claims
        (PROXY, None, PROXY),
        (PROXY, "not-an-address", PROXY),  # a malformed header is not believed
        ("203.0.113.50", "198.51.100.1", "203.0.113.50"),  # not from a proxy: the header is anyone's to forge
    ],
)
def test_forwarded_header_believed_only_from_a_trusted_proxy(behind_proxy, remote, forwarded, expected):
    from wholefamily.governance.client_address import client_address

    assert client_address(_request(remote, forwarded)) == expected


def test_no_trusted_proxy_configured_ignores_the_header():
    from wholefamily.governance.client_address import client_address

    assert django_settings.WHOLEFAMILY_TRUSTED_PROXIES == []
    assert client_address(_request(PROXY, "203.0.113.9")) == PROXY


def test_a_bad_setting_is_refused_by_name():
    from wholefamily.governance.client_address import parse_trusted_proxies

    with pytest.raises(ImproperlyConfigured, match=r"'10\.0\.0\.300'"):
        parse_trusted_proxies("10.0.0.1, 10.0.0.300")


@pytest.mark.django_db
def test_behind_the_proxy_one_client_cannot_lock_out_another(behind_proxy, make_staff):
    make_staff("kim", Role.KEY_WORKER)
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": "kim", "password": "wrong-password"})
    assert attacker.post(reverse("login"), {"username": "kim", "password": TEST_PASSWORD}).status_code == 429
    kim = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert kim.post(reverse("login"), {"username": "kim", "password": TEST_PASSWORD}).status_code == 302
    failed = AuditEvent.objects.filter(action="sign_in", outcome="failed").first()
    assert failed is not None and failed.ip_address == "203.0.113.66"
    assert AuditEvent.objects.get(action="sign_in", outcome="success").ip_address == "198.51.100.7"
