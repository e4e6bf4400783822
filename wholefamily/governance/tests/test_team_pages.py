"""Teams in the service's own pages: an administrator adds a team and changes it, each change audited with the
team's fields before and after; a name already taken and a caseload limit out of range are refused with a message;
nobody else may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent, Team

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_team_and_changes_it_audited_before_and_after(client, make_staff):
    client.force_login(make_staff("ada", Role.ADMINISTRATOR))
    page = client.get(reverse("governance:team_list")).content.decode()
    assert reverse("governance:team_create") in page
    response = client.post(reverse("governance:team_create"),
                           {"name": "North team", "district": "Northmoor", "caseload_limit": "7"})  # fmt: skip
    team = Team.objects.get(name="North team")
    assert response.status_code == 302 and response["Location"] == reverse("governance:team_detail", args=[team.pk])
    assert (team.district, team.caseload_limit) == ("Northmoor", 7)
    created = AuditEvent.objects.get(action="create", object_type="governance.team")
    assert created.detail == {"before": None, "after": {"name": "North team", "district": "Northmoor",
                                                        "caseload_limit": 7}}  # fmt: skip

    change = reverse("governance:team_change", args=[team.pk])
    assert change in client.get(reverse("governance:team_detail", args=[team.pk])).content.decode()
    assert 'value="North team"' in client.get(change).content.decode()
    response = client.post(change, {"name": "North team", "district": "Northmoor", "caseload_limit": "9"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.caseload_limit == 9
    changed = AuditEvent.objects.get(action="change", object_type="governance.team")
    assert changed.detail["before"]["caseload_limit"] == 7 and changed.detail["after"]["caseload_limit"] == 9


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "south team", "district": "Southby", "caseload_limit": "8"}, "already a team with this name"),
        ({"name": "West team", "district": "Westby", "caseload_limit": "0"}, "The caseload limit must be 1 or more"),
        ({"name": "", "district": "Westby", "caseload_limit": "8"}, "Enter the team&#x27;s name"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, make_staff, make_team, data, message):
    make_team("South team", "Southby")
    client.force_login(make_staff("ada", Role.ADMINISTRATOR))
    response = client.post(reverse("governance:team_create"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert Team.objects.count() == 1


@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER, Role.AUDITOR])
def test_only_administrators_add_or_change_teams(client, make_staff, make_team, role):
    team = make_team("South team", "Southby")
    client.force_login(make_staff("someone", role, team=team))
    assert client.get(reverse("governance:team_create")).status_code == 403
    assert (
        client.post(
            reverse("governance:team_change", args=[team.pk]), {"name": "X", "district": "Y", "caseload_limit": "3"}
        ).status_code
        == 403
    )
    assert Team.objects.get().name == "South team"
    assert reverse("governance:team_create") not in client.get(reverse("governance:team_list")).content.decode()
