"""Sign-in is audited, throttled, and sessions end when idle or too old."""

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import TEST_PASSWORD
from wholefamily.domain.roles import Role
from wholefamily.governance.middleware import SESSION_STARTED_KEY
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_successful_and_failed_sign_ins_are_audited(client, make_staff):
    make_staff("kim", Role.KEY_WORKER)
    client.post(reverse("login"), {"username": "kim", "password": "wrong-password"})
    failed = AuditEvent.objects.get(action="sign_in", outcome="failed")
    assert failed.detail == {"username": "kim"}
    response = client.post(reverse("login"), {"username": "kim", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="sign_in", outcome="success", actor__username="kim").exists()


def test_repeated_failures_lock_the_username_from_that_address(client, make_staff):
    make_staff("kim", Role.KEY_WORKER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "kim", "password": "wrong-password"})
    locked = client.post(reverse("login"), {"username": "kim", "password": TEST_PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username_and_address(client, make_staff):
    make_staff("kim", Role.KEY_WORKER)
    make_staff("sam", Role.KEY_WORKER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "kim", "password": "wrong-password"})
    other_user = client.post(reverse("login"), {"username": "sam", "password": TEST_PASSWORD})
    assert other_user.status_code == 302
    from django.test import Client

    other_address = Client(REMOTE_ADDR="10.0.0.9").post(
        reverse("login"), {"username": "kim", "password": TEST_PASSWORD}
    )
    assert other_address.status_code == 302


def test_idle_timeout_is_thirty_minutes_and_renewed_by_each_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_absolute_timeout_signs_out_however_active(client, make_staff):
    kim = make_staff("kim", Role.KEY_WORKER)
    client.force_login(kim)
    assert client.get(reverse("governance:team_list")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = session[SESSION_STARTED_KEY] - settings.WHOLEFAMILY_SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("governance:team_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_each_response_carries_a_request_id(client):
    first, second = client.get(reverse("login")), client.get(reverse("login"))
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"
