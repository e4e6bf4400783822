"""Dataset deliveries through the API: the upload page's job started by a multipart call, idempotent on re-send,
all or nothing, the validation report paged by line, and hostile files refused with 4xx as the import refuses them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from wholefamily.api.tests.conftest import County
from wholefamily.governance.models import AuditEvent
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import contracts
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows
from wholefamily.jobs.models import Job

pytestmark = pytest.mark.django_db
Bearer = Callable[..., dict[str, str]]
KIND, PROFILE = "offences", "synthetic-county"


def deliver(headers: dict[str, str], name: str, content: bytes, **fields: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"kind": KIND, "profile": PROFILE, "policy": "quarantine", "received_on": "2015-01-01", **fields}
    return Client().post("/api/v1/deliveries", {**body, "file": SimpleUploadedFile(name, content)}, **headers)


@pytest.fixture
def offences(tmp_path: Path, settings: Any) -> bytes:
    """Six offences: the first with a formula-like forename, two in the future (bad rows)."""
    settings.DATA_DIR = tmp_path / "data"
    contract = contracts().contract(KIND)
    rows = canonical_rows(contract, contracts(), count=6)
    rows[0]["forename"] = "=cmd|' /C calc'!A0"
    for row in rows[1:3]:
        row["offence_on"] = dt.date(2030, 1, 1)
    return canonical_csv(tmp_path / "offences.csv", rows, contract).read_bytes()


JAN = "2015-01-01"
RENTS = {"kind": "housing", "profile": "housing-rents-system"}  # a workbook profile


def _zip_bomb() -> bytes:
    """A 'workbook' whose one sheet unpacks a thousand times larger than it is sent."""
    sent = io.BytesIO()
    with zipfile.ZipFile(sent, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (4 * 1024 * 1024))
    return sent.getvalue()


def _work_the_queue() -> None:
    """Run each queued task as the worker would (its function, its arguments), inside the test's transaction."""
    for queued in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        queued.task.func(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=queued.pk).update(status="SUCCESSFUL")


def test_a_delivery_starts_the_upload_pages_job_once_and_its_report_pages_by_line(
    county: County, bearer: Bearer, offences: bytes
) -> None:
    analyst = county.users["data_analyst"]
    headers = {**bearer(analyst, scopes=["deliveries:write"]), "HTTP_IDEMPOTENCY_KEY": "police-2015-01"}
    first = deliver(headers, "offences.csv", offences)
    assert first.status_code == 202, first.content
    again = deliver(headers, "offences.csv", offences)
    assert again.status_code == 202 and again.json() == first.json()
    assert ImportRun.objects.count() == 1 and Job.objects.filter(kind="import_delivery").count() == 1
    started = first.json()
    assert started["job"]["status"] == "queued" and started["delivery"]["job_id"] == started["job"]["id"]
    _work_the_queue()
    delivery_id = started["delivery"]["id"]
    page = Client().get(f"/api/v1/deliveries/{delivery_id}", {"limit": 2}, **headers).json()
    assert (page["status"], page["rows_read"], page["rows_accepted"], page["rows_quarantined"]) == (
        "accepted", 6, 4, 2
    )  # fmt: skip
    assert page["cells_flagged"] == 1 and page["dataset_version_id"]
    problems = page["problems"]
    while page["next_cursor"]:
        page = Client().get(f"/api/v1/deliveries/{delivery_id}", {"cursor": page["next_cursor"]}, **headers).json()
        problems += page["problems"]
    assert len(problems) == page["problems_total"] == 3
    assert (problems[0]["line"], problems[0]["column"], problems[0]["severity"]) == (2, "forename", "warning")
    assert {p["line"] for p in problems if p["severity"] == "error"} == {3, 4}
    assert all(p["reason"] for p in problems)
    assert AuditEvent.objects.filter(action="view_import_report", actor=analyst, detail__via="api").count() == 2
    # The same file again under a new key: the import finds it already stored, and stores nothing twice.
    repeat = deliver({**headers, "HTTP_IDEMPOTENCY_KEY": "police-2015-01-again"}, "offences.csv", offences)
    assert repeat.status_code == 202
    _work_the_queue()
    assert ImportRun.objects.get(pk=repeat.json()["delivery"]["id"]).status == ImportRun.Status.DUPLICATE
    assert DatasetVersion.objects.count() == 1
    # A name longer than the file system allows is kept under a short one (the run keeps the name as sent).
    long_name = deliver({**headers, "HTTP_IDEMPOTENCY_KEY": "long"}, "é" * 120 + ".csv", offences)
    assert long_name.status_code == 202 and long_name.json()["delivery"]["file_name"].endswith(".csv")


def test_hostile_and_wrong_deliveries_are_refused_before_any_import(
    county: County, bearer: Bearer, offences: bytes, settings: Any
) -> None:
    analyst = bearer(county.users["data_analyst"], scopes=["deliveries:write"])
    refused = {
        "wrong kind": deliver(analyst, "offences.csv", offences, kind="no_such_kind"),
        "profile without the kind": deliver(analyst, "offences.csv", offences, profile="careers-service-extract"),
        "an executable": deliver(analyst, "offences.exe", offences),
        "binary as CSV": deliver(analyst, "offences.csv", b"id,name\n1,\x00\x01\x02\x03" * 100),
        "not a workbook": deliver(analyst, "rents.xlsx", b"not a zip archive", **RENTS),
        "a zip bomb": deliver(analyst, "rents.xlsx", _zip_bomb(), **RENTS),
        "empty": deliver(analyst, "offences.csv", b""),
        "NUL in a field": deliver(analyst, "offences.csv", offences, supplier="Police\x00"),
        "period ends first": deliver(analyst, "o.csv", offences, period_start_on="2015-02-01", period_end_on=JAN),
    }
    for what, answer in refused.items():
        assert answer.status_code == 422, (what, answer.content)
    assert "binary" in str(refused["binary as CSV"].json()["detail"])
    assert "zip bomb" in str(refused["a zip bomb"].json()["detail"])
    settings.WHOLEFAMILY_API_DELIVERY_MAX_BYTES = 100
    assert deliver(analyst, "offences.csv", offences).status_code == 413
    assert not ImportRun.objects.exists() and not list(Path(settings.DATA_DIR, "uploads").glob("*/*"))
    # Only the roles that import data on the web deliver it; the scope is deliveries.
    for role in ("programme_manager", "north_manager", "auditor", "commissioner"):
        assert deliver(bearer(county.users[role]), "offences.csv", offences).status_code == 403
    assert deliver(bearer(county.users["data_analyst"], scopes=["cases:write"]), "o.csv", offences).status_code == 403
    read_only = bearer(county.users["data_analyst"], scopes=["deliveries:read"])
    assert deliver(read_only, "offences.csv", offences).status_code == 403
    assert Client().get("/api/v1/deliveries/not-a-uuid", **read_only).status_code == 422
    missing = "00000000-0000-0000-0000-000000000000"
    assert Client().get(f"/api/v1/deliveries/{missing}", **read_only).status_code == 404
    assert AuditEvent.objects.filter(action="import_dataset", outcome="denied").count() == 4
