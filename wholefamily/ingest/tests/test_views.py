"""The ingest pages: who may use them, upload through a background job, the report and its CSV, the versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from wholefamily.domain.contract import ContractSet
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import import_file
from wholefamily.ingest.tests.deliveries import canonical_csv, canonical_rows
from wholefamily.jobs.models import Job

KIND = "offences"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def delivery(tmp_path: Path, contract_set: ContractSet) -> Path:
    contract = contract_set.contract(KIND)
    rows = canonical_rows(contract, contract_set, count=60)
    rows[0]["forename"] = "=cmd|' /C calc'!A0"
    for row in rows[1:56]:
        row["offence_on"] = dt.date(2030, 1, 1)  # in the future: 55 bad rows, more than a page
    return canonical_csv(tmp_path / "offences.csv", rows, contract)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.KEY_WORKER, Role.TEAM_MANAGER, Role.COMMISSIONER, Role.AUDITOR])
def test_only_data_analysts_and_administrators_get_in(make_staff: Any, role: Role) -> None:
    client = signed_in(make_staff("someone", role))
    for name in ("ingest:version_list", "ingest:upload"):
        assert client.get(reverse(name)).status_code == 403
    assert AuditEvent.objects.filter(outcome="denied").exists()
    assert Client().get(reverse("ingest:version_list")).status_code == 302  # to sign in


@pytest.mark.django_db
def test_the_report_pages_and_csv(make_staff: Any, data_dir: Path, delivery: Path) -> None:
    analyst = make_staff("ana", Role.DATA_ANALYST)
    run = import_file(path=delivery, kind=KIND, profile="synthetic-county", by=analyst, received_on=dt.date(2015, 1, 1))
    assert run.status == ImportRun.Status.REJECTED
    client = signed_in(analyst)
    page_one = client.get(reverse("ingest:run_detail", args=[run.pk]))
    assert page_one.status_code == 200
    assert "55 of 60 rows are bad" in page_one.text
    assert "in the future (after the delivery&#x27;s received date 2015-01-01)" in page_one.text
    assert 'aria-label="Page 2"' in page_one.text
    page_two = client.get(reverse("ingest:run_detail", args=[run.pk]) + "?page=2")
    assert (
        page_two.status_code == 200
        and '<td class="govuk-table__cell govuk-table__cell--numeric">57</td>' in page_two.text
    )
    report = client.get(reverse("ingest:run_report_csv", args=[run.pk]))
    assert report["Content-Type"].startswith("text/csv")
    text = b"".join(report.streaming_content).decode()
    lines = text.splitlines()
    assert lines[0] == "line,column,severity,reason,value"
    assert "2,forename,warning,starts like a spreadsheet formula; stored as text,'=cmd|' /C calc'!A0" in lines
    assert len(lines) == 1 + 56
    assert AuditEvent.objects.filter(action="download_import_report", actor=analyst).exists()


@pytest.mark.django_db
def test_the_versions_list_shows_provenance(
    make_staff: Any, data_dir: Path, tmp_path: Path, contract_set: ContractSet
) -> None:
    analyst = make_staff("ana", Role.ADMINISTRATOR)
    contract = contract_set.contract(KIND)
    path = canonical_csv(tmp_path / "ok.csv", canonical_rows(contract, contract_set), contract)
    run = import_file(path=path, kind=KIND, profile="synthetic-county", by=analyst, supplier="Constabulary (test)")
    client = signed_in(analyst)
    listing = client.get(reverse("ingest:version_list"))
    assert run.dataset_version.version_id in listing.text and "Constabulary (test)" in listing.text
    detail = client.get(reverse("ingest:version_detail", args=[run.dataset_version.version_id]))
    assert run.sha256 in detail.text and "3 read, 3 accepted, 0 quarantined" in detail.text
    assert client.get(reverse("ingest:version_detail", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_upload_form_errors(make_staff: Any) -> None:
    client = signed_in(make_staff("ana", Role.DATA_ANALYST))
    response = client.post(
        reverse("ingest:upload"),
        {
            "kind": KIND,
            "profile": "school-census-export",
            "policy": "reject",
            "file": SimpleUploadedFile("a.exe", b"x"),
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "The file must be a CSV, XLSX or Parquet file" in response.text
    assert "has no layout for offences" in response.text
    assert not ImportRun.objects.exists() and not Job.objects.exists()


def _upload(client: Client, delivery: Path) -> Any:
    with delivery.open("rb") as handle:
        return client.post(
            reverse("ingest:upload"),
            {
                "kind": KIND,
                "profile": "synthetic-county",
                "policy": "quarantine",
                "received_on": "2015-01-01",
                "file": handle,
            },
        )


def _work_the_queue() -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="t",
    ).run()


@pytest.mark.django_db(transaction=True)
def test_upload_runs_as_a_background_job(make_staff: Any, data_dir: Path, delivery: Path) -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    analyst = make_staff("ana", Role.DATA_ANALYST)
    client = signed_in(analyst)
    response = _upload(client, delivery)
    run = ImportRun.objects.get()
    job = Job.objects.get()
    # The upload lands on the job's progress page.
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert run.job_id == str(job.pk) and job.created_by == analyst
    assert "Waiting for a worker" in client.get(response["Location"]).text
    _work_the_queue()
    run.refresh_from_db()
    job.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, run.message
    assert (run.rows_accepted, run.rows_quarantined) == (5, 55)
    # Progress is counted in rows, not bytes.
    assert (job.done, job.total) == (60, 60)
    assert job.status == Job.Status.SUCCEEDED and job.result["report"] == f"/data/imports/{run.pk}/"
    page = client.get(response["Location"]).text
    assert ">Accepted</strong>" in page and "60 of 60 done" in page
    assert f'href="/data/imports/{run.pk}/">Read the validation report</a>' in page
    version = DatasetVersion.objects.get()
    assert version.imported_by == analyst
    assert not list((data_dir / "uploads").iterdir())  # the upload is not kept beside the store
    assert AuditEvent.objects.filter(action="import_dataset", actor=analyst, outcome="success").exists()

    # The same file again: the job page says it was already imported, never a plain success.
    again = _upload(client, delivery)
    _work_the_queue()
    second = Job.objects.exclude(pk=job.pk).get()
    assert again["Location"] == reverse("jobs:job_detail", args=[second.pk])
    page = client.get(again["Location"]).text
    assert 'govuk-tag--yellow">Already imported</strong>' in page
    assert ">Succeeded<" not in page
    assert "already imported" in page and DatasetVersion.objects.count() == 1
