"""Find a family or person: typo-tolerant names, date of birth and postcode, scoped by the access door, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from wholefamily.cases.models import Case
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.linkage.models import Household, LinkageRun, Membership, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_team):
    run = LinkageRun.objects.create(run_id="r1", settings_version="t", started_at=timezone.now())
    north, south = make_team("North", "Northmoor"), make_team("South", "Southdale")
    homes = {
        "H1": Household.objects.create(household_id="H1", address="12 Mill Lane", postcode="AB1 2CD", last_run=run),
        "H2": Household.objects.create(household_id="H2", address="3 Sea View", postcode="ZZ9 9ZZ", last_run=run),
    }
    rows = [("P1", "WILLIAM", "OKAFOR", dt.date(2009, 3, 27), "H1"), ("P2", "Amy", "Okafor", dt.date(1985, 1, 2), "H1"),
            ("P3", "Bill", "Smith-Jones", dt.date(2010, 5, 6), "H2")]  # fmt: skip
    for person_id, forename, surname, born, home in rows:
        person = Person.objects.create(person_id=person_id, forename=forename, surname=surname, date_of_birth=born,
                                       last_run=run)  # fmt: skip
        Membership.objects.create(person=person, household=homes[home], role="child")
    opened = {
        "programme": "tf-2015",
        "opened_on": dt.date(2026, 1, 5),
        "stage": "awaiting_allocation",
        "stage_changed_at": timezone.now(),
    }
    north_case = Case.objects.create(team=north, family_name="the Okafor family", household_id="H1", reference="N-1",
                                     **opened)  # fmt: skip
    Case.objects.create(team=south, family_name="the Jones family", household_id="H2", reference="S-1", **opened)
    return north, north_case


def _found(client, **query):
    response = client.get(reverse("cases:search"), query)
    assert response.status_code == 200, response.text
    return [(person.person_id, person.case.reference if person.case else None) for person in response.context["found"]]


def test_names_with_slips_short_forms_dates_and_postcodes(client, make_staff, people):
    client.force_login(make_staff("pat", Role.PROGRAMME_MANAGER))
    assert _found(client, name="okafr") == [("P2", "N-1"), ("P1", "N-1")]
    assert _found(client, name="Bill Okafor") == [("P1", "N-1")]  # Bill finds William
    assert _found(client, name="Jones") == [("P3", "S-1")]  # one part of a double-barrelled name
    assert _found(client, date_of_birth_day="27", date_of_birth_month="3", date_of_birth_year="2009") == [("P1", "N-1")]
    assert _found(client, postcode="ab12cd") == [("P2", "N-1"), ("P1", "N-1")]
    assert _found(client, name="Okafor", postcode="ZZ9 9ZZ") == []
    page = client.get(reverse("cases:search"), {"name": "okafr"}).text
    assert "12 Mill Lane, AB1 2CD" in page and "27 March 2009" in page and 'href="/families/' in page
    event = AuditEvent.objects.filter(action="search.people").latest("pk")
    assert event.detail == {"criteria": ["name"], "found": 2} and "okafr" not in str(event.detail)


def test_a_key_worker_finds_only_their_teams_families(client, make_staff, people):
    north, _ = people
    client.force_login(make_staff("kim", Role.KEY_WORKER, team=north))
    assert _found(client, name="Okafor") == [("P2", "N-1"), ("P1", "N-1")]
    assert _found(client, name="Smith-Jones") == []
    client.force_login(make_staff("cam", Role.COMMISSIONER))
    assert _found(client, name="Okafor") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [({"name": ""}, "Enter a name, a date of birth or a postcode"),
     ({"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "2009"}, "must be a real date"),
     ({"name": "x" * 500}, "100 characters")],
)  # fmt: skip
def test_bad_searches_say_what_to_fix(client, make_staff, people, query, message):
    client.force_login(make_staff("pat", Role.PROGRAMME_MANAGER))
    response = client.get(reverse("cases:search"), query)
    assert response.status_code == 400
    assert message in response.text[response.text.index('class="govuk-error-summary"') :]


def test_a_referral_picks_its_household_by_the_search(client, make_staff, people):
    from wholefamily.cases.models import Referral

    north, _ = people
    client.force_login(make_staff("tess", Role.TEAM_MANAGER, team=north))
    page = client.get(reverse("cases:new_referral"), {"find_name": "Okafr"}).text
    assert "1 household found" in page and "The Okafor family, 12 Mill Lane" in page and 'value="H1"' in page
    details = {"team": north.pk, "family_name": "the Okafor family", "source": "school", "referrer": "Head",
               "received_on": "5/1/2026", "reason": "Attendance", "priority": "2", "find_name": "Okafr"}  # fmt: skip
    # A household the search did not offer (another team's, or typed) is refused.
    refused = client.post(reverse("cases:new_referral"), {**details, "household_id": "H2"})
    assert refused.status_code == 200 and "Select the household in the linked data" in refused.text
    assert not Referral.objects.exists()
    # A household with an open case is refused too (one open case a family); once the case is closed it may be referred.
    Case.objects.filter(reference="N-1").update(stage="closed", closed_on=dt.date(2026, 1, 6))
    response = client.post(reverse("cases:new_referral"), {**details, "household_id": "H1"})
    assert response.status_code == 302
    assert Referral.objects.get().household_id == "H1"
