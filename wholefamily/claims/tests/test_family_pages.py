"""The pages of every family in a claim window, payable or not: the list with why not, one family's conditions with
their status, period and records, its PDF; who may see them; wrong and hostile input."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from wholefamily.claims.models import ClaimRun, EvaluatedFamily
from wholefamily.claims.tests.test_views import PACK
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent

WHY = "Crime/anti-social behaviour and education: not met - Each child less than 15% unauthorised absence: not met"


@pytest.fixture
def families(db):
    run = ClaimRun.objects.create(programme="tf-2012", window="2014-07", as_of_on=dt.date(2014, 7, 31),
                                  rules="tf-2012 v1", snapshot="s", started_at=timezone.now())  # fmt: skip
    payable = copy.deepcopy(PACK)
    not_payable = copy.deepcopy(PACK)
    condition = not_payable["results"][0]["conditions"][0]
    condition.update(status="not_achieved", status_label="Not met")
    not_payable["results"][0].update(status="not_achieved", status_label="Not met")
    not_payable["why_not_payable"] = WHY
    return (
        EvaluatedFamily.objects.create(run=run, programme="tf-2012", window="2014-07", family_id="F-1",
                                       household_id="H1", results=["crime_asb_education"], evidence=payable),
        EvaluatedFamily.objects.create(run=run, programme="tf-2012", window="2014-07", family_id="F-2",
                                       household_id="H2", results=[], why_not_payable=WHY, evidence=not_payable),
    )  # fmt: skip


def test_every_family_of_the_window_with_why_not(client, families, make_staff):
    client.force_login(make_staff("ines", Role.AUDITOR))
    page = client.get(reverse("claims:families"), {"scope": "tf-2012/2014-07"}).content.decode()
    assert "1 of 2 families payable" in page
    assert "F-1" in page and "F-2" in page and "Crime/anti-social behaviour and education" in page
    assert "Each child less than 15% unauthorised absence: not met" in page


def test_a_family_page_shows_each_condition(client, families, make_staff):
    client.force_login(make_staff("ines", Role.AUDITOR))
    page = client.get(reverse("claims:family", args=[families[1].pk])).content.decode()
    assert "Family F-2: not payable" in page and "Not payable in this window." in page
    assert "Not met" in page and "Period looked at: 1 September 2013 to 30 April 2014" in page
    assert "dv1:SAT000000001" in page and "Child &lt;One&gt;" in page
    assert "Crime and anti-social behaviour" in page  # the problem's label, not its code
    assert AuditEvent.objects.filter(action="claims.view_family", object_id=str(families[1].pk)).exists()
    response = client.get(reverse("claims:family_pdf", args=[families[1].pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_others_may_not_see_the_families(client, families, make_staff):
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("claims:families")).status_code == 403
    assert client.get(reverse("claims:family", args=[families[0].pk])).status_code == 403
    assert client.get(reverse("claims:family_pdf", args=[families[0].pk])).status_code == 403


@pytest.mark.parametrize("scope", ["", "nonsense", "tf-2012/", "/2014-07", "<script>/x", "tf-2012/2014-07/extra"])
def test_wrong_or_hostile_scope_is_not_an_error(client, families, make_staff, scope):
    client.force_login(make_staff("ines", Role.AUDITOR))
    response = client.get(reverse("claims:families"), {"scope": scope})
    assert response.status_code == 200 and "<script>/x" not in response.content.decode()


def test_an_unknown_family_is_not_found(client, families, make_staff):
    client.force_login(make_staff("ines", Role.AUDITOR))
    assert client.get(reverse("claims:family", args=[999_999])).status_code == 404
