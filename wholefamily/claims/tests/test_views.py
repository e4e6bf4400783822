"""The claims pages: list, evidence pack (page and PDF), the validation step, the submission file, the funding table;
who may see them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from wholefamily.claims.models import Claim, ClaimRun
from wholefamily.domain.claims.states import ClaimState
from wholefamily.domain.roles import Role
from wholefamily.governance.models import Approval, AuditEvent

PACK = {
    "rules": "tf-2012 v1",
    "funding": "tf-2012 v1",
    "window": "2014-07",
    "as_of": "2014-07-31",
    "family_id": "F-1",
    "household_id": "H1",
    "start_on": "2012-10-01",
    "problems_at_identification": ["crime", "education"],
    "results": [
        {
            "result": "crime_asb_education",
            "label": "Crime/anti-social behaviour and education",
            "status": "achieved",
            "reason": "every part that applies holds",
            "conditions": [
                {
                    "condition": "unauthorised_absence_below_15",
                    "label": "Each child less than 15% unauthorised absence",
                    "status": "achieved",
                    "reason": "each child measured",
                    "period_from": "2013-09-01",
                    "period_to": "2014-04-30",
                    "members": [
                        {"person_id": "P1", "label": "Child <One>", "status": "achieved", "before": "20 of 100",
                         "after": "5 of 100", "refs": ["dv1:SAT000000001"]}
                    ],
                }
            ],
        }
    ],
    "case": {"reference": "F-1", "family_name": "the Test family", "team": "North", "lead_professional": "Kim",
             "assessment": {"assessed_on": "2012-10-10", "summary": "needs"},
             "plan": {"agreed_on": "2012-10-20", "version": 1, "aims": "school", "goals": []}},
}  # fmt: skip


@pytest.fixture
def claim(db):
    run = ClaimRun.objects.create(programme="tf-2012", window="2014-07", as_of_on=dt.date(2014, 7, 31),
                                  rules="tf-2012 v1", snapshot="s", started_at=timezone.now())  # fmt: skip
    return Claim.objects.create(run=run, programme="tf-2012", window="2014-07", reference="tf-2012/2014-07/F-1",
                                family_id="F-1", household_id="H1", results=["crime_asb_education"],
                                amount_pence=70_000, evidence=PACK, state_changed_at=timezone.now())  # fmt: skip


@pytest.fixture
def auditor(make_staff):
    return make_staff("ines", Role.AUDITOR)


@pytest.fixture
def manager(make_staff):
    return make_staff("pat", Role.PROGRAMME_MANAGER)


def test_list_and_evidence_pack(client, claim, auditor):
    client.force_login(auditor)
    page = client.get(reverse("claims:list")).content.decode()
    assert "tf-2012/2014-07/F-1" in page and "£700" in page
    page = client.get(reverse("claims:list") + "?scope=tf-2012/2014-07").content.decode()
    assert "tf-2012/2014-07/F-1" in page and "programme=tf-2012&amp;window=2014-07" in page
    assert "tf-2012/2014-07/F-1" not in client.get(reverse("claims:list") + "?scope=tf-2015/2014-07").content.decode()
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "dv1:SAT000000001" in page and "Child &lt;One&gt;" in page and "Kim" in page and "tf-2012 v1" in page
    assert AuditEvent.objects.filter(action="claims.view", object_id=str(claim.pk)).exists()


def test_evidence_pack_pdf(client, claim, auditor):
    client.force_login(auditor)
    response = client.get(reverse("claims:pdf", args=[claim.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_validation_step(client, claim, auditor, manager):
    client.force_login(auditor)
    page = client.get(reverse("claims:detail", args=[claim.pk])).text
    assert "Validate or reject this claim" in page and 'value="submitted"' not in page
    response = client.post(reverse("claims:change_state", args=[claim.pk]), {"to": "rejected", "reason": ""})
    assert response.status_code == 400
    summary = response.text[response.text.index('class="govuk-error-summary"') :]
    assert '<a href="#reason">Say why the claim is rejected</a>' in summary
    # Internal audit says what it checked when it validates, too.
    response = client.post(reverse("claims:change_state", args=[claim.pk]), {"to": "validated", "reason": " "})
    assert response.status_code == 400 and "Say why the claim is validated by internal audit" in response.text
    response = client.post(reverse("claims:change_state", args=[claim.pk]), {"reason": "x"})
    assert response.status_code == 400 and '<a href="#to">Select what happens to the claim</a>' in response.text
    response = client.post(reverse("claims:change_state", args=[claim.pk]), {"to": "validated", "reason": "checked"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.VALIDATED
    client.force_login(manager)
    # The two-person rule: the file waits for a second person's approval of exactly these claims.
    response = client.get(reverse("claims:submission") + "?window=2014-07")
    assert response.status_code == 200 and "A second person must approve this" in response.content.decode()
    signed = re.search(r'name="request" value="([^"]+)"', response.content.decode()).group(1)
    response = client.post(reverse("governance:approval_request"), {"request": signed, "reason": "July window"})
    assert response.status_code == 302
    approval = Approval.objects.get(kind="claim_submission")
    client.force_login(auditor)
    response = client.post(reverse("governance:approval_detail", args=[approval.pk]), {"decision": "approve"})
    assert response.status_code == 302
    client.force_login(manager)
    response = client.get(reverse("claims:submission") + "?window=2014-07")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("reference,family_id") and lines[1].startswith(
        "tf-2012/2014-07/F-1,F-1,,crime_asb_education,700.00"
    )
    assert AuditEvent.objects.filter(action="claims.export").exists()


def test_others_may_not_see_claims(client, claim, make_staff):
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("claims:list")).status_code == 403
    assert client.get(reverse("claims:detail", args=[claim.pk])).status_code == 403


def test_a_programme_manager_is_not_offered_the_auditors_moves(client, claim, manager):
    client.force_login(manager)
    page = client.get(reverse("claims:detail", args=[claim.pk])).text
    assert "Validate or reject this claim" not in page
    response = client.post(reverse("claims:change_state", args=[claim.pk]), {"to": "validated", "reason": "x"})
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.state == ClaimState.DRAFT


def test_funding_page_shows_the_forecast_and_paid(client, claim, make_staff):
    Claim.objects.filter(pk=claim.pk).update(state=ClaimState.PAID)
    client.force_login(make_staff("cam", Role.COMMISSIONER))
    page = client.get(reverse("claims:funding") + "?programme=tf-2012&estimated_families=2630").content.decode()
    for figure in ("£2,336,000", "£584,000", "£2,920,000", "£8,768,000", "2,192"):
        assert figure in page
    assert "<svg" in page and "2012/13 paid: £700" in page  # the family started in 2012/13
    assert "style=" not in page and "<script>" not in page  # CSP: no inline style or script


def test_funding_page_refuses_a_bad_estimate(client, db, make_staff):
    client.force_login(make_staff("cam", Role.COMMISSIONER))
    page = client.get(reverse("claims:funding") + "?estimated_families=lots").content.decode()
    assert "govuk-error-message" in page
