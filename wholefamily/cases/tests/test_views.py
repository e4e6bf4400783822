"""The case pages: what each user sees, the actions through forms, and another team's user getting 404s (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wholefamily.cases.lookups import FAMILY_SECTIONS, section_url
from wholefamily.cases.models import Case, Plan, Referral
from wholefamily.cases.tests.builders import TODAY, all_scores
from wholefamily.domain.pathway import Stage
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST_PAGES = ["cases:caseload", "cases:team", "cases:waiting", "cases:reviews_due", "cases:progress", "cases:referrals"]
DATE = TODAY.strftime("%d/%m/%Y")


def family_pages(case: Case) -> list[str]:
    member = case.members.first()
    names = ["family", "move", "allocate", "close", "assessment", "plan", "review", "add_member", "taf_meeting"]
    names += ["notice", "consent", "budget"]
    urls = [reverse(f"cases:{name}", args=[case.pk]) for name in names]
    urls += [section_url(case, slug) for slug, _title in FAMILY_SECTIONS if slug != "summary"]
    urls += [reverse("cases:change_member", args=[case.pk, member.pk])]
    urls += [reverse("cases:member_left", args=[case.pk, member.pk])]
    return urls


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_open_for_the_manager(client, manager, new_family, worker, name):
    new_family(Stage.PLAN_ACTIVE, worker=worker)
    new_family()
    client.force_login(manager)
    response = client.get(reverse(name))
    assert response.status_code == 200
    if name != "cases:progress":
        assert AuditEvent.objects.filter(actor=manager, object_type="cases.case_list").exists()


def test_family_page_shows_the_whole_story(client, manager, worker, new_family):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    client.force_login(worker)
    record = [client.get(section_url(case, slug)) for slug, _title in FAMILY_SECTIONS]  # the record's sub-pages
    assert [response.status_code for response in record] == [200] * len(FAMILY_SECTIONS)
    page = "".join(response.content.decode() for response in record)
    for text in ["the Test family", "Pat Test", "Jo Test", "Children in school every day", "Plan active", "Chronology"]:
        assert text in page
    assert AuditEvent.objects.filter(actor=worker, action="view", object_id=str(case.pk)).exists()


def test_another_teams_user_gets_404_on_every_family_page_and_action(client, outsider, new_family, worker):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    client.force_login(outsider)
    for url in family_pages(case):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    denied = AuditEvent.objects.filter(actor=outsider, outcome="denied", object_id=str(case.pk))
    assert denied.count() >= len(family_pages(case))
    for name in LIST_PAGES[:4]:
        assert "the Test family" not in client.get(reverse(name)).content.decode()


def test_key_worker_gets_404_for_a_colleagues_family_but_sees_unallocated(client, worker, colleague, new_family):
    theirs = new_family(Stage.ALLOCATED, worker=colleague, name="Theirs")
    waiting = new_family(name="Waiting")
    client.force_login(worker)
    assert client.get(reverse("cases:family", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("cases:family", args=[waiting.pk])).status_code == 200
    assert client.get(reverse("cases:team")).status_code == 403  # not a manager


def test_manager_allocates_and_worker_assesses_plans_and_reviews_through_the_pages(client, manager, worker, new_family):
    case = new_family()
    client.force_login(manager)
    response = client.post(reverse("cases:allocate", args=[case.pk]), {"worker": worker.pk, "reason": ""})
    assert response.status_code == 302
    assert "has been allocated" in client.get(response["Location"]).content.decode()

    client.force_login(worker)
    scores = {f"score_{code}": str(score) for code, score in all_scores().items()}
    response = client.post(
        reverse("cases:assessment", args=[case.pk]), {"assessed_on": DATE, "summary": "Strong bond", **scores}
    )
    assert response.status_code == 302
    response = client.post(reverse("cases:plan", args=[case.pk]), {"aims": "School every day", "agreed_on": DATE})
    assert response.status_code == 302
    response = client.post(
        reverse("cases:review", args=[case.pk]), {"held_on": DATE, "progress": "Good", "outcome": "continue"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage_enum is Stage.PLAN_ACTIVE and case.reviews.count() == 1


def test_a_stale_plan_save_is_refused_on_the_page(client, worker, manager, new_family):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    url = reverse("cases:plan", args=[case.pk])
    client.force_login(worker)
    assert client.post(url, {"aims": "First", "version": "1"}).status_code == 302
    client.force_login(manager)
    response = client.post(url, {"aims": "Second", "version": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this plan" in page and "Your changes have not been saved" in page
    assert "Second" in page  # the refused input is kept for the user to redo
    assert Plan.objects.get(case=case).aims == "First"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"assessed_on": "31/02/2026", "summary": "x"},
        {"assessed_on": "not a date", "summary": "x" * 6000},
        {"assessed_on": DATE, "summary": "x", "score_housing": "99"},
        {"assessed_on": "\x00", "summary": "<script>alert(1)</script>"},
    ],
)
def test_hostile_assessment_input_gets_errors_not_500(client, worker, new_family, data):
    case = new_family(Stage.ALLOCATED, worker=worker)
    client.force_login(worker)
    response = client.post(reverse("cases:assessment", args=[case.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "<script>alert(1)</script>" not in page


def test_hostile_ids_and_parameters(client, manager, new_family):
    case = new_family()
    client.force_login(manager)
    assert client.get("/families/99999999/").status_code == 404
    assert client.get("/families/-1/").status_code == 404
    assert client.get(reverse("cases:team") + "?team=abc").status_code == 200
    assert client.get(reverse("cases:team") + "?team=99999999999999999999").status_code == 200
    assert client.get(reverse("cases:waiting") + "?page=x").status_code == 200
    response = client.post(reverse("cases:allocate", args=[case.pk]), {"worker": "' OR 1=1 --"})
    assert response.status_code == 200 and "Select the key worker" in response.content.decode()
    member = case.members.first()
    assert client.get(reverse("cases:change_member", args=[case.pk, member.pk + 1000])).status_code == 404


def test_pathway_refusal_is_shown_on_the_form(client, manager, worker, north, new_family):
    north.caseload_limit = 0
    north.save()
    case = new_family()
    client.force_login(manager)
    response = client.post(reverse("cases:allocate", args=[case.pk]), {"worker": worker.pk})
    assert response.status_code == 200
    assert "the team&#x27;s limit of 0" in response.content.decode()
    response = client.post(reverse("cases:allocate", args=[case.pk]), {"worker": worker.pk, "allow_over_limit": "on"})
    assert response.status_code == 302


def test_referral_is_recorded_and_gatekept_through_the_pages(client, manager, worker, north):
    client.force_login(worker)
    response = client.post(
        reverse("cases:new_referral"),
        {
            "team": north.pk,
            "family_name": "the Referred family",
            "source": "marac",
            "referrer": "DS Smith, police",
            "received_on": DATE,
            "reason": "Domestic abuse incidents",
            "priority": "1",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert client.get(response["Location"]).status_code == 200
    assert client.post(response["Location"], {"decision": "accept", "reason": "x"}).status_code == 403
    client.force_login(manager)
    response = client.post(reverse("cases:referral", args=[referral.pk]), {"decision": "accept", "reason": "Threshold"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.case is not None and response["Location"] == reverse("cases:family", args=[referral.case.pk])


def test_commissioner_sees_progress_but_no_family(client, make_staff, new_family, worker):
    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    client.force_login(make_staff("cara", Role.COMMISSIONER))
    assert client.get(reverse("cases:progress")).status_code == 200
    assert client.get(reverse("cases:family", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:caseload")).status_code == 403


def test_programme_manager_sets_a_district_estimate(client, make_staff, manager, north, new_family):
    new_family(Stage.AWAITING_ALLOCATION)
    url = reverse("cases:set_estimate")
    client.force_login(manager)
    assert client.get(url).status_code == 403
    client.force_login(make_staff("pm", Role.PROGRAMME_MANAGER))
    assert "Set a district" in client.get(reverse("cases:progress")).content.decode()
    assert client.post(url, {"district": "Nowhere", "families_estimated": "10"}).status_code == 200  # not a choice
    assert client.post(url, {"district": "Northmoor", "families_estimated": "-3"}).status_code == 200
    response = client.post(url, {"district": "Northmoor", "families_estimated": "250"})
    assert response.status_code == 302
    rows = {row.district: row for row in client.get(reverse("cases:progress")).context["rows"]}
    assert rows["Northmoor"].remaining == 249
    assert AuditEvent.objects.filter(action="cases.set_district_estimate").exists()


def _family_with_a_goal(new_family, worker):
    from wholefamily.cases import services

    case = new_family(Stage.PLAN_ACTIVE, worker=worker)
    goal = services.add_goal(
        plan=case.plan,
        expected_version=1,
        member=None,
        description="Rent paid on time",
        actions="Budgeting support",
        agency="Housing",
        due_on=TODAY,
        by=worker,
    )
    return case, goal, reverse("cases:goal_achievement", args=[case.pk, goal.pk])


def test_key_worker_marks_a_goal_achieved_from_the_plan(client, worker, new_family):
    case, goal, url = _family_with_a_goal(new_family, worker)
    client.force_login(worker)
    family = client.get(section_url(case, "assessment-and-plan")).content.decode()
    assert url in family and "Mark achieved" in family
    form = client.get(url)
    assert form.status_code == 200
    page = form.content.decode()
    assert "Mark a goal achieved" in page and "Rent paid on time" in page and 'name="version" value="2"' in page
    response = client.post(
        url, {"version": "2", "is_achieved": "yes", "achieved_on": DATE, "note": "Six months without arrears"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#plan")
    family = client.get(response["Location"]).content.decode()
    assert "The goal has been updated." in family
    assert '<strong class="govuk-tag govuk-tag--green">Achieved</strong> ' + TODAY.strftime("%-d %B %Y") in family
    assert "Six months without arrears" in family
    goal.refresh_from_db()
    assert goal.is_achieved and goal.achieved_on == TODAY
    assert 'value="yes" checked' in client.get(url).content.decode()  # the form shows what is recorded


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Select whether the goal has been achieved"),
        ({"version": "2", "is_achieved": "yes", "note": "x"}, "Enter the date the goal was achieved"),
        ({"version": "2", "is_achieved": "yes", "achieved_on": "31/02/2026", "note": "x"}, "must be a real date"),
        ({"version": "2", "is_achieved": "maybe", "achieved_on": DATE, "note": "x"}, "Select whether"),
        ({"version": "2", "is_achieved": "no", "note": ""}, "Enter the note"),
        ({"version": "2", "is_achieved": "no", "note": "x" * 301}, "300 characters or fewer"),
        ({"version": "-1", "is_achieved": "no", "note": "x"}, "open the family plan again"),
        ({"version": "2", "is_achieved": "yes", "achieved_on": "1/1/2999", "note": "x"}, "cannot be in the future"),
    ],
)
def test_bad_goal_achievement_input_shows_an_error_summary(client, worker, new_family, data, error):
    _case, goal, url = _family_with_a_goal(new_family, worker)
    client.force_login(worker)
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert "There is a problem" in page or "This could not be saved" in page
    goal.refresh_from_db()
    assert not goal.is_achieved


def test_a_stale_goal_achievement_is_refused_with_409(client, worker, manager, new_family):
    case, goal, url = _family_with_a_goal(new_family, worker)
    client.force_login(manager)
    assert client.post(reverse("cases:plan", args=[case.pk]), {"aims": "Changed", "version": "2"}).status_code == 302
    client.force_login(worker)
    response = client.post(url, {"version": "2", "is_achieved": "yes", "achieved_on": DATE, "note": "Done"})
    assert response.status_code == 409
    assert "Someone else changed this plan" in response.content.decode()
    goal.refresh_from_db()
    assert not goal.is_achieved


def test_others_get_404_for_a_goal(client, worker, colleague, outsider, new_family):
    case, goal, url = _family_with_a_goal(new_family, worker)
    for other in (colleague, outsider):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"version": "2", "is_achieved": "yes", "achieved_on": DATE, "note": "x"}).status_code
            == 404
        )
        assert AuditEvent.objects.filter(actor=other, outcome="denied", object_id=str(case.pk)).exists()
    other_case = new_family(Stage.PLAN_ACTIVE, worker=worker, name="Another")
    client.force_login(worker)
    assert client.get(reverse("cases:goal_achievement", args=[other_case.pk, goal.pk])).status_code == 404
    goal.refresh_from_db()
    assert not goal.is_achieved
