"""Subject access: everything held about one person, as JSON and PDF, for administrators only, audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from wholefamily.cases.tests.test_agency_events import linked_records  # noqa: F401  (a fixture)
from wholefamily.domain.pathway import Stage
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_everything_held_about_a_person_as_json_and_pdf(client, worker, new_family, linked_records, make_staff):  # noqa: F811
    case = new_family(Stage.ALLOCATED, worker=worker)
    client.force_login(worker)
    client.get(reverse("cases:family", args=[case.pk]))  # a read the report must show
    ada = make_staff("ada", Role.ADMINISTRATOR)
    client.force_login(ada)
    url = reverse("governance:subject_access")
    assert client.get(url).status_code == 200
    response = client.get(url, {"person_id": "P-2", "format": "json"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    report = json.loads(response.content)
    assert report["person"]["forename"] == "Jo"
    offences = report["agency_records"]["offences"]
    assert {row["source_record_id"] for row in offences} == {"O-1", "O-2", "X-9"}
    first = next(row for row in offences if row["source_record_id"] == "O-1")
    assert first["values"]["offence_type"] == "theft" and first["values"]["offence_on"] == "2025-03-04"
    assert next(row for row in offences if row["source_record_id"] == "X-9")["note"].startswith("no longer")
    assert report["case_records"][0]["member"]["display_name"] == "Jo Test"
    assert report["case_records"][0]["chronology"]
    assert any(entry["who"] == worker.username and entry["action"] == "view" for entry in report["audit"])
    pdf = client.get(url, {"person_id": "P-2", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="subject_access.export", actor=ada, object_id="P-2").count() == 2


def test_only_an_administrator_and_only_for_someone_held(client, worker, make_staff):
    client.force_login(worker)
    assert client.get(reverse("governance:subject_access"), {"person_id": "P-2"}).status_code == 403
    client.force_login(make_staff("ada", Role.ADMINISTRATOR))
    assert client.get(reverse("governance:subject_access"), {"person_id": "NOBODY"}).status_code == 404
    bad = client.get(reverse("governance:subject_access"), {"person_id": "<x>"})
    assert bad.status_code == 400 and "Enter a person id" in bad.content.decode()
