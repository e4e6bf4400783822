"""Staff administration in the service's own pages: create with team and role in one form, change role or team,
reset a password, deactivate; every change audited; only administrators; no escalation to superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent, StaffProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(make_staff):
    return make_staff("ada", Role.ADMINISTRATOR)


@pytest.fixture
def north(make_team):
    return make_team("North team", "Northmoor")


def test_an_administrator_adds_a_key_worker_with_team_and_role_in_one_form(client, ada, north):
    client.force_login(ada)
    assert client.get(reverse("governance:staff_create")).status_code == 200
    response = client.post(reverse("governance:staff_create"), {
        "username": "kim.walker", "first_name": "Kim", "last_name": "Walker", "email": "kim@example.org",
        "roles": ["key_worker"], "team": north.pk, "job_title": "Key worker", "password": "river-lantern-quietly-42",
    })  # fmt: skip
    assert response.status_code == 302
    kim = get_user_model().objects.get(username="kim.walker")
    assert kim.check_password("river-lantern-quietly-42")
    assert kim.staff_profile.team == north and list(kim.groups.values_list("name", flat=True)) == ["key_worker"]
    assert not kim.is_staff and not kim.is_superuser
    event = AuditEvent.objects.get(action="create", object_type="governance.staffprofile")
    assert event.actor == ada and event.detail["roles"] == ["key_worker"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "aaaaaaaaaaaa"}, "password"),
        ({"roles": []}, "Choose at least one role"),
        ({"team": ""}, "Choose a team"),
        ({"username": "ada"}, "That username is taken"),
        ({"username": "<script>"}, "Enter a username"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_made(client, ada, north, changes, message):
    client.force_login(ada)
    data = {"username": "sam", "first_name": "Sam", "last_name": "Rivers", "roles": ["key_worker"], "team": north.pk,
            "password": "river-lantern-quietly-42", **changes}  # fmt: skip
    response = client.post(reverse("governance:staff_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="sam").exists()


def test_change_reset_and_deactivate_are_audited(client, ada, north, make_staff, make_team):
    east = make_team("East team", "Eastvale")
    kim = make_staff("kim", Role.KEY_WORKER, team=north)
    client.force_login(ada)
    pk = kim.staff_profile.pk
    response = client.post(reverse("governance:staff_change", args=[pk]),
                           {"roles": ["team_manager"], "team": east.pk, "job_title": "Team manager"})  # fmt: skip
    assert response.status_code == 302
    change = AuditEvent.objects.get(action="staff.change", outcome="success")
    assert change.detail["roles"] == {"before": ["key_worker"], "after": ["team_manager"]}
    assert change.detail["team"] == {"before": "North team", "after": "East team"}
    response = client.post(reverse("governance:staff_password", args=[pk]), {"password": "otter-meadow-candle-19"})
    assert response.status_code == 302
    kim.refresh_from_db()
    assert kim.check_password("otter-meadow-candle-19")
    reset = AuditEvent.objects.get(action="staff.reset_password")
    assert "otter" not in str(reset.detail)
    assert client.post(reverse("governance:staff_active", args=[pk])).status_code == 302
    kim.refresh_from_db()
    assert not kim.is_active
    assert AuditEvent.objects.filter(action="staff.deactivate", actor=ada).exists()


def test_only_administrators_reach_the_pages(client, make_staff, north):
    kim = make_staff("kim", Role.KEY_WORKER, team=north)
    pat = make_staff("pat", Role.PROGRAMME_MANAGER)
    client.force_login(pat)
    assert client.get(reverse("governance:staff_list")).status_code == 403
    assert client.post(reverse("governance:staff_change", args=[kim.staff_profile.pk]),
                       {"roles": ["administrator"]}).status_code == 403  # fmt: skip
    assert client.post(reverse("governance:staff_active", args=[kim.staff_profile.pk])).status_code == 403
    kim.refresh_from_db()
    assert kim.is_active and not kim.groups.filter(name="administrator").exists()


def test_an_administrator_cannot_take_over_a_superuser_or_lock_themselves_out(client, ada):
    root = get_user_model().objects.create_superuser(username="root", password="unguessable-root-password-1")
    root_profile = StaffProfile.objects.create(user=root)
    client.force_login(ada)
    response = client.post(reverse("governance:staff_password", args=[root_profile.pk]),
                           {"password": "otter-meadow-candle-19"})  # fmt: skip
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("unguessable-root-password-1")
    own = ada.staff_profile.pk
    response = client.post(reverse("governance:staff_change", args=[own]), {"roles": ["key_worker"], "team": ""})
    assert response.status_code == 400 and "Choose a team" in response.content.decode()
    response = client.post(reverse("governance:staff_change", args=[own]), {"roles": ["auditor"]})
    assert response.status_code == 400 and "cannot remove your own administrator role" in response.content.decode()
    assert client.post(reverse("governance:staff_active", args=[own])).status_code == 400
    ada.refresh_from_db()
    assert ada.is_active and ada.groups.filter(name="administrator").exists()
