"""One rule per page: the roles a view declares with `page_for` are the roles templates may link it for."""

import pytest
from django.urls import reverse

from wholefamily.domain.roles import Role
from wholefamily.web import pages

pytestmark = pytest.mark.django_db

GUARDED = ("cases:caseload", "cases:team", "cases:set_estimate")


@pytest.mark.parametrize("role", list(Role))
def test_may_open_answers_as_the_page_does(client, make_staff, make_team, role):
    user = make_staff(f"user_{role.value}", role, team=make_team("North Family Support"))
    client.force_login(user)
    for name in GUARDED:
        status = client.get(reverse(name)).status_code
        assert pages.may_open(user, name) == (status == 200), (name, status)


def test_a_page_without_declared_roles_is_for_every_signed_in_user(make_staff):
    user = make_staff("kim", Role.KEY_WORKER)
    assert pages.roles_for("/families/waiting/") is None
    assert pages.may_open(user, "cases:waiting")
    assert pages.roles_for("/families/team/") == (Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER)
    assert not pages.may_open(user, "cases:team")
    assert not pages.may_open(user, "no:such_page")


def test_the_template_tag_hides_a_tab_the_role_would_be_refused(client, make_staff, make_team):
    team = make_team("North Family Support")
    client.force_login(make_staff("kim", Role.KEY_WORKER, team=team))
    page = client.get(reverse("cases:waiting")).content.decode()
    assert 'href="/families/team/"' not in page and 'href="/families/"' in page
    client.force_login(make_staff("mo", Role.TEAM_MANAGER, team=team))
    page = client.get(reverse("cases:waiting")).content.decode()
    assert 'href="/families/team/"' in page
