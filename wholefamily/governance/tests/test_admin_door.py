"""Django's admin is a superuser's tool only, and superusers are made only at the command line, audited (ADR 0014)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_administrator_cannot_make_itself_a_superuser_in_the_admin(client, make_staff):
    ada = make_staff("ada", Role.ADMINISTRATOR, is_staff=True)
    client.force_login(ada)
    for path in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{ada.pk}/change/", "/admin/governance/team/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), path
    response = client.post(
        f"/admin/auth/user/{ada.pk}/change/",
        {"username": "ada", "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    ada.refresh_from_db()
    assert not ada.is_superuser


def test_the_admin_has_no_user_group_or_password_pages_even_for_a_superuser(client, make_staff):
    root = make_staff("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 404
    assert client.get(f"/admin/auth/user/{root.pk}/password/").status_code == 404
    assert client.get("/admin/auth/group/").status_code == 404


def test_createsuperuser_writes_the_audit_log(db):
    call_command("createsuperuser", username="root", email="root@example.org", interactive=False, verbosity=0)
    root = get_user_model().objects.get(username="root")
    assert root.is_superuser
    event = AuditEvent.objects.get(action="create_superuser")
    assert event.object_id == str(root.pk) and event.actor_label == "system:createsuperuser"
