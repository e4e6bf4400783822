"""The dashboard: a section per role, only live links, and the navigation each role gets."""

import re

import pytest
from django.urls import reverse

from wholefamily.domain.roles import Role

pytestmark = pytest.mark.django_db

# Links (besides the common ones) that each role's section must offer.
EXPECTED_LINKS = {
    Role.KEY_WORKER: [],
    Role.TEAM_MANAGER: [],
    Role.PROGRAMME_MANAGER: ["/teams/", "/jobs/", "/audit/"],
    Role.DATA_ANALYST: ["/jobs/"],
    Role.COMMISSIONER: ["/teams/"],
    Role.AUDITOR: ["/audit/", "/teams/"],
    Role.ADMINISTRATOR: ["/teams/", "/audit/", "/jobs/"],
    Role.PROVIDER: ["/commissioning/contracts/"],
}


def _main(page: str) -> str:
    return page[page.index('<main class="govuk-main-wrapper" id="main-content">') : page.index("</main>")]


def _links(html: str) -> list[str]:
    return re.findall(r'href="(/[^"#]*)"', html)


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_section_and_every_link_works(client, make_staff, make_team, role):
    team = make_team("North Family Support")
    user = make_staff(f"user_{role.value}", role, team=team, is_staff=role is Role.ADMINISTRATOR)
    client.force_login(user)
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    main = _main(response.content.decode())
    assert f'<h2 class="govuk-summary-card__title" id="role-{role.value}">{role.label}</h2>' in main
    links = _links(main)
    for expected in EXPECTED_LINKS[role]:
        assert any(link.startswith(expected) for link in links), (expected, links)
    for link in links:  # no dead links: every page the dashboard offers opens for this user
        assert client.get(link).status_code == 200, link


def test_team_roles_link_to_their_own_team(client, make_staff, make_team):
    team = make_team("North Family Support")
    client.force_login(make_staff("kim", Role.KEY_WORKER, team=team))
    main = _main(client.get(reverse("web:dashboard")).content.decode())
    assert reverse("governance:team_detail", args=[team.pk]) in main
    assert "North Family Support (Northmoor)" in main


def test_key_worker_without_a_team_is_told_whom_to_ask(client, make_staff):
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    main = _main(client.get(reverse("web:dashboard")).content.decode())
    assert "You are not in a team yet" in main
    assert "/teams/" not in main


def test_a_user_with_two_roles_sees_both_sections_in_order(client, make_staff):
    client.force_login(make_staff("pat", Role.AUDITOR, Role.DATA_ANALYST))
    main = _main(client.get(reverse("web:dashboard")).content.decode())
    assert main.index('id="role-data_analyst"') < main.index('id="role-auditor"')
    assert 'href="#role-auditor"' in main


def test_a_user_without_a_role_is_told_to_ask_for_one(client, make_staff):
    client.force_login(make_staff("new", team=None))
    main = _main(client.get(reverse("web:dashboard")).content.decode())
    assert "You do not have a role in WholeFamily yet" in main
    assert _links(main) == []


def test_only_a_superuser_gets_the_admin_link(client, make_staff):
    client.force_login(make_staff("ada", Role.ADMINISTRATOR, is_staff=True))
    assert "/admin/" not in client.get(reverse("web:dashboard")).content.decode()
    client.force_login(make_staff("root", Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    assert 'href="/admin/"' in client.get(reverse("web:dashboard")).content.decode()


def _navigation(page: str) -> list[str]:
    nav = page[page.index('<ul class="govuk-service-navigation__list"') : page.index("</ul>")]
    return [text.strip() for text in re.findall(r"<a [^>]*>\s*(?:<strong[^>]*>)?([^<]+)", nav)]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.KEY_WORKER, ["Home", "Families", "Find", "Teams"]),
        (
            Role.DATA_ANALYST,
            [
                "Home",
                "Find",
                "Data sets",
                "Linkage",
                "Pairs to review",
                "Identification",
                "Impact",
                "Teams",
                "Background jobs",
            ],
        ),
        (Role.AUDITOR, ["Home", "Find", "Identification", "Claims", "Teams", "Audit log", "Approvals"]),
        (
            Role.ADMINISTRATOR,
            [
                "Home",
                "Find",
                "Data sets",
                "Linkage",
                "Pairs to review",
                "Identification",
                "Claims",
                "Teams",
                "Staff",
                "Background jobs",
                "Audit log",
                "Approvals",
            ],
        ),
    ],
)
def test_navigation_depends_on_role(client, make_staff, role, expected):
    client.force_login(make_staff("u", role, is_staff=True))
    assert _navigation(client.get(reverse("web:dashboard")).content.decode()) == expected


def test_current_section_is_marked_in_the_navigation(client, make_staff):
    client.force_login(make_staff("u", Role.AUDITOR))
    page = client.get(reverse("governance:audit_log")).content.decode()
    assert re.search(r'href="/audit/" aria-current="page"', page)
    assert 'href="/" aria-current' not in page


def _figures(main: str) -> list[tuple[str, str, str]]:
    """(href, number, what) of each figure on a home page."""
    return re.findall(
        r'<a class="govuk-link govuk-link--no-visited-state wf-figure__link" href="([^"]+)">'
        r'<span class="wf-figure__value">([^<]+)</span> <span class="wf-figure__label">([^<]+)</span>',
        main,
    )


def test_a_key_worker_sees_their_caseload_against_the_limit_and_what_is_waiting(client, make_staff, make_team):
    team = make_team("North Family Support")
    team.caseload_limit = 12
    team.save()
    client.force_login(make_staff("kim", Role.KEY_WORKER, team=team))
    figures = _figures(_main(client.get(reverse("web:dashboard")).content.decode()))
    assert figures[0] == ("/families/", "0 of 12", "families on your caseload")
    assert ("/families/reviews/", "0", "reviews overdue") in figures
    assert ("/families/waiting/", "0", "families waiting for a key worker") in figures
    for href, _number, _what in figures:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.AUDITOR, ("/claims/?state=draft", "0", "claims awaiting validation")),
        (Role.PROGRAMME_MANAGER, ("/families/progress/", "0", "families on the programme")),
        (Role.DATA_ANALYST, ("/data/", "0", "data sets imported")),
        (Role.ADMINISTRATOR, ("/audit/?outcome=denied", "0", "refused attempts in the last 7 days")),
    ],
)
def test_each_role_sees_the_figures_it_acts_on(client, make_staff, role, expected):
    client.force_login(make_staff(f"user_{role.value}", role, is_staff=role is Role.ADMINISTRATOR))
    figures = _figures(_main(client.get(reverse("web:dashboard")).content.decode()))
    assert expected in figures
    for href, _number, _what in figures:
        assert client.get(href).status_code == 200, href
