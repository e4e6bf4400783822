"""Case file audits: the quarter's sample of closed cases is the same for whoever draws it, team managers see their
team's part and programme managers every team's; the audit form refuses an incomplete audit with the error summary,
saves a complete one (audited), and the report card counts the answers, small numbers hidden."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from wholefamily.cases.models import Case
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent, Team
from wholefamily.reporting import audits
from wholefamily.reporting.models import CaseAudit
from wholefamily.reporting.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db
COMPLETE = {"engagement": "well", "multi_agency": "partly", "outcome_focused": "yes", "gaps": "No housing officer"}


@pytest.fixture
def managers(county: Any, make_staff: Any) -> dict[str, Any]:
    return {
        "north": make_staff("tm.north", Role.TEAM_MANAGER, team=Team.objects.get(name="North team")),
        "south": make_staff("tm.south", Role.TEAM_MANAGER, team=Team.objects.get(name="South team")),
    }


def _sampled(user: Any) -> list[str]:
    return [item.case.reference for item in audits.sample(QUARTER, for_user=user)]


def test_the_sample_is_the_same_for_whoever_draws_it_and_scoped_to_their_reach(county: Any, managers: Any) -> None:
    closed = Case.objects.filter(closed_on__range=(QUARTER.starts_on, QUARTER.ends_on))
    assert closed.count() == 8  # all in the north team
    sample = _sampled(county.programme_manager)
    assert len(sample) == 3 and set(sample) <= set(closed.values_list("reference", flat=True))
    assert _sampled(managers["north"]) == sample == _sampled(county.programme_manager)
    assert _sampled(managers["south"]) == []


def test_the_sample_page_is_for_team_and_programme_managers_and_audited(
    client: Any, county: Any, managers: Any
) -> None:
    url = reverse("reporting:case_audits") + f"?quarter={QUARTER.code}"
    for user in (county.key_worker, county.commissioner):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(managers["north"])
    page = client.get(url)
    assert page.status_code == 200
    for reference in _sampled(county.programme_manager):
        assert reference in page.content.decode()
    event = AuditEvent.objects.get(object_type="reporting.case_audit_sample", object_id=QUARTER.code)
    assert event.detail["cases"] == _sampled(county.programme_manager)


def test_a_case_out_of_the_sample_or_of_reach_answers_404(client: Any, county: Any, managers: Any) -> None:
    sampled = set(_sampled(county.programme_manager))
    inside = Case.objects.get(reference=sorted(sampled)[0])
    outside = Case.objects.filter(closed_on__isnull=False).exclude(reference__in=sampled).first()
    assert outside is not None
    client.force_login(managers["north"])
    assert client.get(reverse("reporting:case_audit", args=[outside.pk])).status_code == 404
    assert client.get(reverse("reporting:case_audit", args=[inside.pk])).status_code == 200
    client.force_login(managers["south"])
    assert client.get(reverse("reporting:case_audit", args=[inside.pk])).status_code == 404


def test_an_incomplete_audit_is_refused_and_a_complete_one_saved(client: Any, county: Any, managers: Any) -> None:
    case = Case.objects.get(reference=sorted(_sampled(county.programme_manager))[0])
    url = reverse("reporting:case_audit", args=[case.pk])
    client.force_login(managers["north"])
    refused = client.post(url, {"engagement": "well", "multi_agency": "no"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "There is a problem" in body and 'href="#id_outcome_focused_0"' in body and 'href="#id_gaps"' in body
    assert not CaseAudit.objects.exists()
    saved = client.post(url, COMPLETE)
    assert saved.status_code == 302
    audit = CaseAudit.objects.get(case=case)
    assert audit.quarter == QUARTER.code and audit.definition == "case_file_audit v1"
    assert audit.answers == {"engagement": "well", "multi_agency": "partly", "outcome_focused": "yes"}
    assert audit.gaps == "No housing officer" and audit.audited_by == managers["north"]
    assert AuditEvent.objects.filter(
        object_type="reporting.caseaudit", object_id=str(audit.pk), action="create"
    ).exists()
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), action="view").exists()
    client.post(url, {**COMPLETE, "engagement": "partly"})
    assert CaseAudit.objects.get(case=case).answers["engagement"] == "partly"  # saved again, one audit


def test_the_report_card_counts_the_answers_with_small_numbers_hidden(client: Any, county: Any) -> None:
    for reference in _sampled(county.programme_manager):
        case = Case.objects.get(reference=reference)
        audits.save_audit(case=case, quarter=QUARTER, answers=dict(list(COMPLETE.items())[:3]), gaps="Secret gap",
                          notes="Secret note", by=county.programme_manager)  # fmt: skip
    client.force_login(county.commissioner)
    page = client.get(reverse("reporting:pathway_card") + f"?quarter={QUARTER.code}").content.decode()
    assert "Case file audits" in page and "Engaged well throughout" in page
    assert "Secret" not in page
    section = page[page.index('id="case-file-audits"') :]
    assert "fewer than 5" in section and ">3<" not in section
    tables = audits.results_tables(QUARTER)
    assert tables[0] == 3
    assert [cell.count for cell in tables[1][0].table.rows[0]] == [3]
