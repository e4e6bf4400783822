"""The board pack: built from the records as a background job, a PDF board paper and an XLSX of the same figures,
kept versioned so an earlier pack reopens byte for byte as it was sent."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from wholefamily.governance.models import AuditEvent
from wholefamily.jobs.models import Job
from wholefamily.reporting.models import BoardPack
from wholefamily.reporting.services import build_board_pack
from wholefamily.reporting.tasks import build_work
from wholefamily.reporting.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_a_pack_is_a_board_paper_and_a_workbook_of_the_same_figures(county: Any) -> None:
    pack = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    pdf = bytes(pack.pdf)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert _pages(pdf) >= 8  # cover, contents, two cards, monitoring, progress, funding, notes
    assert hashlib.sha256(pdf).hexdigest() == pack.pdf_sha256
    assert b"Quarter 2 2025/26" in pdf or pack.figures["quarter"]["label"] == QUARTER.label

    book = load_workbook(io.BytesIO(bytes(pack.xlsx)))
    assert book.sheetnames[0] == "Contents" and "Notes on method" in book.sheetnames
    assert {"Service monitoring", "Progress by district", "Funding position"} <= set(book.sheetnames)
    card = book["Card - the whole pathway"]
    started = next(row for row in card.iter_rows(values_only=True) if row[0] == "Families starting")
    assert started[-1] == 14  # the quarter's figure, a number in the workbook
    json_started = next(
        m for q in pack.figures["sections"][0]["questions"] for m in q["measures"] if m["label"] == "Families starting"
    )
    assert json_started["trend"][-1][1] == "14"
    dropped = next(row for row in card.iter_rows(values_only=True) if row[0] == "Family dropped out")
    assert dropped[-1] == "fewer than 5"


def test_a_second_build_is_a_new_version_and_the_first_reopens_as_sent(county: Any, client: Any) -> None:
    first = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    sent = bytes(first.pdf)
    second = build_board_pack(quarter=QUARTER, by=county.programme_manager)
    assert (first.version, second.version) == (1, 2)
    client.force_login(county.commissioner)
    response = client.get(reverse("reporting:board_pack_pdf", args=[first.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == sent
    assert AuditEvent.objects.filter(action="reporting.download_board_pack", object_id=str(first.pk)).exists()
    workbook = client.get(reverse("reporting:board_pack_xlsx", args=[second.pk]))
    assert workbook.status_code == 200 and workbook.content == bytes(second.xlsx)
    listing = client.get(reverse("reporting:board_packs")).content.decode()
    assert QUARTER.label in listing and "Build a board pack" not in listing


def test_only_a_programme_manager_builds_a_pack(county: Any, client: Any) -> None:
    with pytest.raises(PermissionDenied):
        build_board_pack(quarter=QUARTER, by=county.commissioner)
    client.force_login(county.commissioner)
    assert client.get(reverse("reporting:build_board_pack")).status_code == 403
    client.force_login(county.key_worker)
    assert client.get(reverse("reporting:board_packs")).status_code == 403


def test_the_pack_is_built_as_a_background_job(county: Any, client: Any) -> None:
    client.force_login(county.programme_manager)
    response = client.post(reverse("reporting:build_board_pack"), {"quarter": QUARTER.code})
    assert response.status_code == 302
    job = Job.objects.get(kind="build_board_pack")
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    result = build_work(str(job.pk), QUARTER.code, county.programme_manager.pk, progress=_Progress())
    pack = BoardPack.objects.get()
    assert result["report"] == reverse("reporting:board_pack", args=[pack.pk])
    assert pack.job_id == job.pk
    assert client.post(reverse("reporting:build_board_pack"), {"quarter": "nonsense"}).status_code == 400


class _Progress:
    def start(self, total: int | None, message: str = "") -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def set_message(self, message: str) -> None: ...
