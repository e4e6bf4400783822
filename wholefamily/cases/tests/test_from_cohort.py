"""Putting a cohort family on the programme: members from the linked household, evidence summary, team scoping."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from wholefamily.cases.models import Case
from wholefamily.domain.pathway import EventCode, MemberRole, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_family(north):
    from wholefamily.identification.models import CohortFamily, IdentificationRun
    from wholefamily.linkage.models import Household, LinkageRun, Membership, Person

    linkage_run = LinkageRun.objects.create(
        run_id="L1", status="succeeded", settings_version="1", started_at=timezone.now()
    )
    household = Household.objects.create(household_id="HABCDEFGHIJ", last_run=linkage_run)
    people = [
        ("PAAAAAAAAA1", "Dana", "Brook", date(1984, 5, 1), Membership.Role.ADULT_PARENT, None),
        ("PAAAAAAAAA2", "Eli", "Brook", date(2012, 7, 9), Membership.Role.CHILD, None),
        ("PAAAAAAAAA3", "Finn", "Stone", date(1980, 1, 1), Membership.Role.OTHER_ADULT, date(2025, 1, 1)),  # moved out
    ]
    for person_id, forename, surname, born, role, end_on in people:
        person = Person.objects.create(
            person_id=person_id, forename=forename, surname=surname, date_of_birth=born, last_run=linkage_run
        )
        Membership.objects.create(
            person=person, household=household, role=role, start_on=date(2020, 1, 1), end_on=end_on
        )
    run = IdentificationRun.objects.create(
        programme="tf-2015",
        programme_version=1,
        programme_title="Troubled Families 2015",
        as_of_on=date(2026, 10, 1),
        snapshot="x",
        status=IdentificationRun.Status.SUCCEEDED,
        started_at=timezone.now(),
    )
    return CohortFamily.objects.create(
        run=run,
        family_id="FAM-1",
        household_id="HABCDEFGHIJ",
        district="Northmoor",
        problems_met="education;crime",
        problem_count=2,
        indicators_met=["a", "b", "c"],
        change=CohortFamily.Change.NEW,
        team=north,
    )


def test_manager_sees_the_family_and_puts_it_on_the_programme(client, manager, cohort_family):
    client.force_login(manager)
    team_page = client.get(reverse("cases:team")).content.decode()
    url = reverse("cases:take_on", args=[cohort_family.run_id, cohort_family.family_id])
    assert url in team_page
    page = client.get(url).content.decode()
    assert "Dana Brook (adult with parenting responsibility)" in page and "Finn Stone" not in page
    assert 'value="the Brook family"' in page
    response = client.post(url, {"priority": "1", "family_name": "the Brook family"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.stage_enum, case.priority, case.household_id, case.team) == (
        Stage.IDENTIFIED,
        1,
        "HABCDEFGHIJ",
        cohort_family.team,
    )
    assert [(m.person_id, m.role) for m in case.members.order_by("born_on")] == [
        ("PAAAAAAAAA1", MemberRole.PARENTING_ADULT),
        ("PAAAAAAAAA2", MemberRole.CHILD),
    ]
    assert "2 headline problems" in case.evidence_summary and "3 indicators met" in case.evidence_summary
    assert case.events.filter(code=EventCode.CASE_OPENED).exists()
    assert url not in client.get(reverse("cases:team")).content.decode()  # taken on: no longer listed
    assert client.get(url)["Location"] == reverse("cases:family", args=[case.pk])  # a second time: to the case


def test_another_teams_manager_gets_404(client, outsider, cohort_family):
    client.force_login(outsider)
    url = reverse("cases:take_on", args=[cohort_family.run_id, cohort_family.family_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"priority": "2", "family_name": "x"}).status_code == 404
    assert not Case.objects.exists()


def test_a_key_worker_cannot_put_a_family_on_the_programme(client, worker, cohort_family):
    client.force_login(worker)
    url = reverse("cases:take_on", args=[cohort_family.run_id, cohort_family.family_id])
    assert client.post(url, {"priority": "2", "family_name": "x"}).status_code == 403
    assert not Case.objects.exists()
