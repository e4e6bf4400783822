"""The market position statement: the commissioner's narrative, dated and versioned (a new version never changes an
old one), with need, provision and gaps as they stood on its date; a web page and a PDF; providers read it."""

from __future__ import annotations

from typing import Any

import pytest

from wholefamily.commissioning.models import MarketPositionStatement
from wholefamily.domain.roles import Role

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Families with complex needs: our market",
    "summary": "We want fewer families to need statutory services.",
    "intentions": "Grow the work programme in Northmoor from April.",
    "to_providers": "Talk to us before the tender opens.",
}


def test_a_commissioner_dates_versions_and_providers_read_them(
    client: Any, staff: dict[str, Any], make_service: Any, make_staff: Any
) -> None:
    make_service(name="Work programme", target_needs=["financial_stability"], districts=["Northmoor"], capacity=2,
                 delivery="commissioned")  # fmt: skip
    client.force_login(staff["commissioner"])
    assert (
        "No market position statement has been written yet"
        in client.get("/commissioning/market-position/").content.decode()
    )
    bad = client.post("/commissioning/market-position/new/", {"title": ""})
    assert bad.status_code == 200 and "Enter the title" in bad.content.decode()
    assert client.post("/commissioning/market-position/new/", FORM).status_code == 302
    first = MarketPositionStatement.objects.get()
    assert first.version == 1 and first.figures["provision"]["body"][0][0] == "Work programme"
    changed = {**FORM, "intentions": "Stop the work programme; commission a new one."}
    assert client.post("/commissioning/market-position/new/", changed).status_code == 302
    first.refresh_from_db()
    assert first.intentions == FORM["intentions"]  # an old version never changes
    page = client.get("/commissioning/market-position/").content.decode()
    assert "Version 2" in page and "Stop the work programme" in page and "Current provision" in page
    older = client.get("/commissioning/market-position/", {"version": "1"}).content.decode()
    assert "Grow the work programme in Northmoor" in older
    assert client.get("/commissioning/market-position/", {"version": "99"}).status_code == 404
    assert client.get("/commissioning/market-position/", {"version": "<x>"}).status_code == 404  # no such version
    pdf = client.get("/commissioning/market-position/1.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"Grow the work programme" in pdf.content
    assert client.get("/commissioning/market-position/9.pdf").status_code == 404
    provider = make_staff("pat.provider", Role.PROVIDER)
    client.force_login(provider)
    assert "Stop the work programme" in client.get("/commissioning/market-position/").content.decode()
    assert client.get("/commissioning/market-position/new/").status_code == 403
    client.force_login(staff["worker"])
    assert client.get("/commissioning/market-position/").status_code == 403
