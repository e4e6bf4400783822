"""The data-sharing agreements pages and retention's dry run on the web (ADR 0015, ADR 0020): who may open them,
what they say, and that looking at retention is an audited dry run that removes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent, DataSharingAgreement
from wholefamily.governance.selectors import agreement_status

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (dt.date(2027, 1, 1), None, "Not started"),
        (dt.date(2020, 1, 1), None, "In force"),
        (dt.date(2020, 1, 1), dt.date(2027, 1, 31), "Ends soon"),
        (dt.date(2020, 1, 1), dt.date(2028, 1, 31), "In force"),
        (dt.date(2020, 1, 1), dt.date(2026, 12, 6), "Ended"),
    ],
)
def test_an_agreements_status_in_words(start, end, words):
    agreement = DataSharingAgreement(reference="R", name="N", partner="P", start_on=start, end_on=end)
    assert agreement_status(agreement, today=TODAY)[0] == words


def test_the_agreements_list_and_one_agreement(client, make_staff):
    ended = DataSharingAgreement.objects.create(
        reference="POL-2019", name="Police data 2019", partner="County Police", start_on=dt.date(2019, 1, 1),
        end_on=dt.date(2020, 12, 31), kinds=["police"], parties="County Council\nCounty Police",
        purpose="Identify families", lawful_basis="UK GDPR Article 6(1)(e)", retention_months=36,
    )  # fmt: skip
    client.force_login(make_staff("ana", Role.DATA_ANALYST))
    page = client.get(reverse("governance:agreement_list")).content.decode()
    assert "Police data 2019" in page and "Ended" in page and "31 December 2020" in page and "36 months" in page
    detail = client.get(reverse("governance:agreement_detail", args=[ended.pk])).content.decode()
    assert "UK GDPR Article 6(1)(e)" in detail and "County Police" in detail and "Nothing has been imported" in detail
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("governance:agreement_list")).status_code == 403


def test_the_retention_page_is_an_audited_dry_run(client, make_staff, settings, tmp_path):
    from wholefamily.ingest.models import DatasetVersion

    settings.DATA_DIR = tmp_path
    for name, period_end, seconds in (("old", dt.date(2014, 3, 31), 1), ("new", dt.date(2025, 3, 31), 2)):
        DatasetVersion.objects.create(
            version_id=f"v-{name}", kind="offences", contract_version=1, profile="p", period_end_on=period_end,
            received_on=period_end, policy="reject", rows_read=1, rows_accepted=1, sha256=name * 16,
            file_name="f.csv", file_size=1, imported_at=timezone.now() + dt.timedelta(seconds=seconds),
        )  # fmt: skip
    client.force_login(make_staff("ines", Role.AUDITOR))
    response = client.get(reverse("governance:retention"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Would be removed (1)" in page and "v-old" in page and "No copies elsewhere" in page
    assert "Kept (1)" in page and "Kept until 31 March 2031" in page
    assert AuditEvent.objects.get(action="retention.dry_run").detail["due"] == ["v-old"]
    assert DatasetVersion.objects.count() == 2
    client.force_login(make_staff("ana", Role.DATA_ANALYST))
    assert client.get(reverse("governance:retention")).status_code == 403
