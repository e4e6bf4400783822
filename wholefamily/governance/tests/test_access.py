"""A user of one team never gets another team's objects, and every attempt and personal read is audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from wholefamily.domain.roles import Role
from wholefamily.governance import selectors, services
from wholefamily.governance.models import AuditEvent, StaffProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams(make_team, make_staff):
    north, east = make_team("North team", "Northmoor"), make_team("East team", "Eastvale")
    kim = make_staff("kim", Role.KEY_WORKER, team=north)
    sam = make_staff("sam", Role.KEY_WORKER, team=east)
    return north, east, kim, sam


def test_key_worker_gets_404_for_another_teams_staff_record_and_the_attempt_is_audited(client, two_teams):
    _north, _east, kim, sam = two_teams
    client.force_login(kim)
    response = client.get(reverse("governance:staff_detail", args=[sam.staff_profile.pk]))
    assert response.status_code == 404
    assert "sam" not in response.content.decode().lower()
    denied = AuditEvent.objects.get(action="view", outcome=AuditEvent.Outcome.DENIED)
    assert denied.actor == kim
    assert denied.object_type == "governance.staffprofile"
    assert denied.object_id == str(sam.staff_profile.pk)
    assert denied.request_id == response["X-Request-ID"]


def test_key_worker_gets_404_for_another_teams_page_and_the_attempt_is_audited(client, two_teams):
    _north, east, kim, _sam = two_teams
    client.force_login(kim)
    response = client.get(reverse("governance:team_detail", args=[east.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        actor=kim, object_type="governance.team", object_id=str(east.pk), outcome="denied"
    ).exists()


def test_reading_a_personal_record_in_reach_is_allowed_and_audited(client, two_teams):
    north, _east, kim, _sam = two_teams
    colleague = StaffProfile.objects.get(user__username="kim")
    client.force_login(kim)
    response = client.get(reverse("governance:staff_detail", args=[colleague.pk]))
    assert response.status_code == 200
    read = AuditEvent.objects.get(action="view", outcome="success", object_type="governance.staffprofile")
    assert read.actor == kim and read.object_id == str(colleague.pk)
    assert north.name in response.content.decode()


def test_team_list_shows_only_own_team_to_a_key_worker(client, two_teams):
    north, east, kim, _sam = two_teams
    client.force_login(kim)
    body = client.get(reverse("governance:team_list")).content.decode()
    assert north.name in body and east.name not in body


def test_programme_manager_sees_every_team_and_staff_record(client, two_teams, make_staff):
    _north, east, _kim, sam = two_teams
    priya = make_staff("priya", Role.PROGRAMME_MANAGER)
    client.force_login(priya)
    assert client.get(reverse("governance:team_detail", args=[east.pk])).status_code == 200
    assert client.get(reverse("governance:staff_detail", args=[sam.staff_profile.pk])).status_code == 200


def test_commissioner_sees_teams_but_no_staff_record(client, two_teams, make_staff):
    _north, east, _kim, sam = two_teams
    chris = make_staff("chris", Role.COMMISSIONER)
    client.force_login(chris)
    assert client.get(reverse("governance:team_detail", args=[east.pk])).status_code == 200
    assert client.get(reverse("governance:staff_detail", args=[sam.staff_profile.pk])).status_code == 404
    assert list(selectors.staff_for(for_user=chris)) == []


def test_unknown_and_malformed_ids_are_404_not_500(client, two_teams):
    _north, _east, kim, _sam = two_teams
    client.force_login(kim)
    assert client.get(reverse("governance:staff_detail", args=[999999])).status_code == 404
    assert client.get("/staff/not-a-number/").status_code == 404
    assert client.get("/teams/%27%3B--/").status_code == 404


def test_anonymous_user_is_sent_to_sign_in(client, two_teams):
    response = client.get(reverse("governance:team_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_audit_log_is_for_auditors_not_key_workers(client, two_teams, make_staff):
    _north, _east, kim, _sam = two_teams
    client.force_login(kim)
    assert client.get(reverse("governance:audit_log")).status_code == 403
    ari = make_staff("ari", Role.AUDITOR)
    client.force_login(ari)
    response = client.get(reverse("governance:audit_log"), {"outcome": "denied", "since_on": "not-a-date"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_only_an_administrator_changes_roles_and_the_change_is_audited(two_teams, make_staff):
    _north, _east, kim, sam = two_teams
    with pytest.raises(PermissionDenied):
        services.set_roles(profile=sam.staff_profile, roles={Role.TEAM_MANAGER}, by=kim)
    ada = make_staff("ada", Role.ADMINISTRATOR)
    services.set_roles(profile=sam.staff_profile, roles={Role.TEAM_MANAGER}, by=ada)
    event = AuditEvent.objects.get(action="change_roles")
    assert event.actor == ada and event.detail["after"] == ["team_manager"]
    assert set(sam.groups.values_list("name", flat=True)) == {"team_manager"}


def test_audit_events_are_append_only(two_teams):
    _north, _east, kim, _sam = two_teams
    event = AuditEvent.objects.create(action="test", actor=kim)
    event.action = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_superuser_can_use_the_admin_audited_but_not_edit_the_audit_log(client, make_staff):
    root = make_staff("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/governance/team/add/").status_code == 200
    assert client.get("/admin/governance/auditevent/").status_code == 200
    assert client.get("/admin/governance/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(actor=root, action="admin.view", object_id="/admin/governance/team/add/").exists()
