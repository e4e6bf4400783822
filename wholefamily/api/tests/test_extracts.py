"""Extracts through the API: the definitions, a build started as a job once for an Idempotency-Key, the extract and
its CSV file as built (the download audited as the web's), for the roles that read and build them on the web."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.test import Client
from django_tasks_db.models import DBTaskResult

from wholefamily.api.tests.conftest import County
from wholefamily.extracts.models import Extract
from wholefamily.governance.models import AuditEvent
from wholefamily.jobs.models import Job

Bearer = Callable[..., dict[str, str]]
SF = "supporting-families-2022-family-outcomes"


def _work_the_queue() -> None:
    for queued in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        queued.task.func(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=queued.pk).update(status="SUCCESSFUL")


def _post(headers: dict[str, str], body: Any) -> Any:
    return Client().post("/api/v1/extracts", body, content_type="application/json", **headers)


def test_a_build_is_a_job_started_once_and_its_file_is_the_extract_as_built(county: County, bearer: Bearer) -> None:
    manager = county.users["programme_manager"]
    headers = {**bearer(manager, scopes=["extracts:write", "jobs:read"]), "HTTP_IDEMPOTENCY_KEY": "return-2026-q3"}
    definitions = Client().get("/api/v1/extracts/definitions", **headers).json()["items"]
    assert {d["code"] for d in definitions} == {SF, "tf-2012-family-results", "tf-2015-family-progress"}
    first = _post(headers, {"definition": SF})
    assert first.status_code == 202, first.content
    again = _post(headers, {"definition": SF})
    assert again.status_code == 202 and again.json() == first.json()
    assert Job.objects.filter(kind="build_extract").count() == 1
    _work_the_queue()
    job = Client().get(f"/api/v1/jobs/{first.json()['job']['id']}", **headers).json()
    assert job["status"] == "succeeded", job
    extract_id = job["result"]["extract_id"]
    listed = Client().get("/api/v1/extracts", {"definition": SF}, **headers).json()
    assert [item["id"] for item in listed["items"]] == [extract_id]
    one = Client().get(f"/api/v1/extracts/{extract_id}", **headers).json()
    assert one["rows"] == 3 and one["file"] == f"/api/v1/extracts/{extract_id}/file"
    response = Client().get(one["file"], **headers)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content == bytes(Extract.objects.get(pk=extract_id).content)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    references = sorted(case.reference for case in county.cases.values())
    assert [row["family_reference"] for row in rows] == references  # every team's families, in reference order
    assert [c["name"] for c in one["columns"]] == list(rows[0])
    assert "Ottoline" not in response.content.decode()  # pseudonymous: no names
    assert AuditEvent.objects.filter(action="extracts.download_extract", actor=manager, detail__via="api").count() == 1


def test_who_may_read_and_build_extracts_through_the_api(county: County, bearer: Bearer) -> None:
    for name in ("north_worker", "north_manager", "commissioner"):
        headers = bearer(county.users[name])
        assert Client().get("/api/v1/extracts", **headers).status_code == 403
        assert Client().get("/api/v1/extracts/definitions", **headers).status_code == 403
        assert _post(headers, {"definition": SF}).status_code == 403
    auditor = bearer(county.users["auditor"])
    assert Client().get("/api/v1/extracts", **auditor).status_code == 200
    assert _post(auditor, {"definition": SF}).status_code == 403  # reads, never builds
    analyst = bearer(county.users["data_analyst"], scopes=["extracts:read"])
    assert _post(analyst, {"definition": SF}).status_code == 403  # a read-only token
    analyst = bearer(county.users["data_analyst"])
    assert _post(analyst, {"definition": "../../etc/passwd"}).status_code == 422
    assert _post(analyst, {"definition": ""}).status_code == 422
    assert Client().get("/api/v1/extracts/999999", **analyst).status_code == 404
    assert Client().get("/api/v1/extracts/999999/file", **analyst).status_code == 404
    assert Client().get("/api/v1/extracts", {"cursor": "not-a-cursor"}, **analyst).status_code == 400
