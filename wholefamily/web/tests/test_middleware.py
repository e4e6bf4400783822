"""Security headers: strict CSP everywhere, and nothing cached for signed-in users."""

import pytest
from django.urls import reverse

from wholefamily.domain.roles import Role

pytestmark = pytest.mark.django_db


def test_strict_content_security_policy_on_pages(client):
    response = client.get(reverse("login"))
    policy = dict(
        directive.strip().split(" ", 1) for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline': the templates carry no inline script
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "<script>" not in response.content.decode()


def test_pages_for_signed_in_users_are_not_stored(client, make_staff):
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    response = client.get(reverse("web:dashboard"))
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_error_page_for_anonymous_visitor_is_not_marked_no_store(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_favicon_redirects_to_our_icon_not_the_crown(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/build/favicon.svg"
