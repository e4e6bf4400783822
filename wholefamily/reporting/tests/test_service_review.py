"""The quarterly service review report: the narrative written in the service per quarter, versioned, shown beside
the agreed data, and kept in a board pack as it was when the pack was built."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from wholefamily.governance.models import AuditEvent
from wholefamily.reporting.models import ServiceReview
from wholefamily.reporting.services import build_board_pack
from wholefamily.reporting.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db
TEXT = {
    "progress_against_aims": "Fourteen families started; eight finished.\nMost goals were met.",
    "what_works": "Joint visits with the school nurse.",
    "difficulties": "<script>alert('x')</script> Housing waits.",
    "feedback": "Families valued one named worker.",
}


def _write(client: Any, **changes: str) -> Any:
    return client.post(reverse("reporting:write_service_review"), {"quarter": QUARTER.code, **TEXT, **changes})


def test_the_review_is_written_versioned_and_shown_beside_the_agreed_data(county: Any, client: Any) -> None:
    client.force_login(county.programme_manager)
    page = client.get(reverse("reporting:service_review"), {"quarter": QUARTER.code}).content.decode()
    assert "has not written its review of this quarter yet" in page and "Write the review" in page
    response = _write(client)
    assert response.status_code == 302 and response["Location"].endswith(f"?quarter={QUARTER.code}")
    assert _write(client).status_code == 302  # the same text again: nothing new
    assert ServiceReview.objects.get().version == 1
    _write(client, what_works="Joint visits with the school nurse and the police.")
    latest = ServiceReview.objects.order_by("-version").first()
    assert latest is not None and latest.version == 2 and ServiceReview.objects.count() == 2
    assert AuditEvent.objects.filter(action="reporting.service_review").count() == 2

    page = client.get(reverse("reporting:service_review"), {"quarter": QUARTER.code}).content.decode()
    assert "Version 2" in page and "and the police" in page and "Most goals were met." in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'aria-labelledby="review-referrals-chart-title' in page and "Referrals received by quarter" in page
    form = client.get(reverse("reporting:write_service_review"), {"quarter": QUARTER.code}).content.decode()
    assert "and the police" in form  # the form starts from the current version

    for bad in ({"what_works": "x" * 5001}, {"quarter": "2099-00-q9"}, {"quarter": ""}):
        assert _write(client, **bad).status_code == 400
    assert ServiceReview.objects.count() == 2

    client.force_login(county.commissioner)
    page = client.get(reverse("reporting:service_review"), {"quarter": QUARTER.code}).content.decode()
    assert "and the police" in page and "Change the review" not in page
    assert client.get(reverse("reporting:write_service_review")).status_code == 403
    client.force_login(county.key_worker)
    assert client.get(reverse("reporting:service_review")).status_code == 403


def test_a_pack_keeps_the_text_it_was_built_with(county: Any, client: Any) -> None:
    client.force_login(county.programme_manager)
    _write(client)
    first = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    _write(client, difficulties="A new difficulty.")
    second = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    sent_pdf = bytes(first.pdf)

    def review(pack: Any) -> dict[str, Any]:
        return next(s for s in pack.figures["sections"] if s["kind"] == "review")

    first.refresh_from_db()
    assert review(first)["review_version"] == 1 and bytes(first.pdf) == sent_pdf
    assert dict(review(first)["narrative"])["Difficulties"] == TEXT["difficulties"]
    assert review(second)["review_version"] == 2 and dict(review(second)["narrative"])["Difficulties"] == (
        "A new difficulty."
    )
    assert review(second)["tables"][0]["caption"] == f"The agreed data, {QUARTER.label}"
    sheet = load_workbook(io.BytesIO(bytes(second.xlsx)))["Service review"]
    cells = [row for row in sheet.iter_rows(values_only=True)]
    assert ("Difficulties", "A new difficulty.") in [row[:2] for row in cells]
    assert ("What works", TEXT["what_works"]) in [row[:2] for row in cells]
