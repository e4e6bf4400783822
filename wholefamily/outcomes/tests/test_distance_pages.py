"""The family's distance-travelled page and the form that records a time point (Django test client)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wholefamily.cases.tests.builders import TODAY
from wholefamily.domain.pathway import Stage
from wholefamily.outcomes.models import DistanceAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(new_family, worker):
    return new_family(Stage.PLAN_ACTIVE, worker=worker)


def _post(client, case, **scores):
    data = {"assessed_on": TODAY.strftime("%d/%m/%Y"), "assessor": "key_worker", "family_member": "", "notes": ""}
    data["recorded"] = str(DistanceAssessment.objects.filter(case=case).count())
    data.update({f"score_family_{item}": str(value) for item, value in scores.items()})
    return client.post(reverse("outcomes:record_distance", args=[case.pk]), data)


def test_record_baseline_and_review_then_see_the_table_and_radar(client, family, worker):
    client.force_login(worker)
    page = client.get(reverse("outcomes:record_distance", args=[family.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Aspirations (Jo Test)" in html and "Not scored" in html
    assert (
        "These scores will be the baseline if given by the key worker, the baseline if given by the family member"
        in html
    )
    response = _post(client, family, housing=3, income_employment_finance=4, family_history_relationships=2)
    assert response.status_code == 302
    form = client.get(reverse("outcomes:record_distance", args=[family.pk])).content.decode()
    assert "review 1 if given by the key worker" in form
    response = _post(client, family, housing=4, income_employment_finance=3, family_history_relationships=2)
    assert response.status_code == 302
    page = client.get(reverse("outcomes:distance", args=[family.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'role="img"' in html and "<polygon" in html and "Radar chart: The whole family" in html
    assert "More need found" in html  # housing 3 -> 4 at R1
    assert "Not scored" in html  # social and community links never scored
    assert "style=" not in html and "<script>" not in html  # CSP: no inline styles or scripts
    assert [a.time_point for a in DistanceAssessment.objects.order_by("time_point")] == [0, 1]


def test_an_empty_form_says_what_to_fix(client, family, worker):
    client.force_login(worker)
    response = _post(client, family)
    assert response.status_code == 200
    assert "Score at least one item" in response.content.decode()
    assert not DistanceAssessment.objects.exists()


def test_another_team_gets_not_found(client, family, outsider):
    client.force_login(outsider)
    assert client.get(reverse("outcomes:distance", args=[family.pk])).status_code == 404
    assert _post(client, family, housing=3).status_code == 404


def test_two_baselines_saved_at_once_the_second_is_refused(client, family, worker, manager):
    """Both opened the form when the family had no scores: the second save must not land as a review (ADR 0014)."""
    url = reverse("outcomes:record_distance", args=[family.pk])
    client.force_login(worker)
    assert 'name="recorded" value="0"' in client.get(url).content.decode()
    other = client.__class__()
    other.force_login(manager)
    data = {"assessed_on": TODAY.strftime("%d/%m/%Y"), "assessor": "key_worker", "family_member": "", "notes": ""}
    data.update({"recorded": "0", "score_family_housing": "3"})
    assert client.post(url, data).status_code == 302
    response = other.post(url, {**data, "score_family_housing": "2"})
    assert response.status_code == 409
    assert "Someone else recorded distance travelled scores" in response.content.decode()
    assert list(DistanceAssessment.objects.values_list("time_point", flat=True)) == [0]
