"""Dataset deliveries: a file sent as multipart starts the same import job the upload page starts (the same form's
checks, all or nothing, the job's validation report), and each delivery's validation report, a page of bad rows at
a time. For the roles that import data on the web (ingest.selectors.INGEST_ROLES)."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import File, Form, Header, Query, Router, Status, UploadedFile

from wholefamily.api import idempotency, paging
from wholefamily.api.resources import jobs
from wholefamily.api.resources.common import PageQuery, answers
from wholefamily.api.schemas import DeliveryIn, DeliveryReport, DeliveryStarted, Problem
from wholefamily.api.security import need, via
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent
from wholefamily.ingest import selectors
from wholefamily.ingest.forms import UploadForm
from wholefamily.ingest.models import ImportProblem, ImportRun
from wholefamily.ingest.services import ImportError_, create_import_run, refuse_unreadable
from wholefamily.ingest.tasks import save_upload, start_import

PREFIX = "/deliveries"
RESOURCE = "deliveries"
router = Router(tags=["Dataset deliveries"])
KEY_HELP = "A key of your own for this delivery: sending it again with the same key answers as the first time did."
DEFAULT_MAX_BYTES = 2 * 1024**3  # the largest delivery measured (10,000,000 rows of CSV) is 1.36 GB


def max_bytes() -> int:
    return int(getattr(settings, "WHOLEFAMILY_API_DELIVERY_MAX_BYTES", DEFAULT_MAX_BYTES))


def render(run: ImportRun) -> dict[str, Any]:
    return {
        "id": str(run.pk),
        "kind": run.kind,
        "profile": run.profile,
        "policy": run.policy,
        "file_name": run.file_name,
        "file_size": run.file_size,
        "sha256": run.sha256,
        "status": run.status,
        "status_label": run.get_status_display(),
        "message": run.message,
        "received_on": run.received_on,
        "rows_read": run.rows_read,
        "rows_accepted": run.rows_accepted,
        "rows_bad": run.rows_bad,
        "rows_quarantined": run.rows_quarantined,
        "cells_flagged": run.cells_flagged,
        "problems_total": run.problems_total,
        "dataset_version_id": run.dataset_version.version_id if run.dataset_version is not None else None,
        "job_id": run.job_id,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def _problem(problem: ImportProblem) -> dict[str, Any]:
    return {
        "line": problem.line,
        "column": problem.column,
        "severity": problem.severity,
        "reason": problem.reason,
        "value": problem.value,
    }


def _may_import(request: HttpRequest) -> Any:
    user = request.user
    if not selectors.may_import(user=user):
        record(by=user, action="import_dataset", object_type=ImportRun._meta.label_lower,
               outcome=AuditEvent.Outcome.DENIED, detail=via(request, decision="forbidden"))  # fmt: skip
        raise PermissionDenied("Only data analysts and administrators import data sets.")
    return user


def _digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _form_errors(form: UploadForm) -> list[dict[str, Any]]:
    return [
        {"loc": ["form", field if field != "__all__" else "delivery"], "msg": str(message), "type": "invalid"}
        for field, messages in form.errors.items()
        for message in messages
    ]


@router.post(
    "",
    response={**answers(DeliveryStarted, status=202, write=True), 413: Problem},
    summary="Deliver a data set file: starts its import (the upload page's job)",
)
def deliver(
    request: HttpRequest,
    delivery: Form[DeliveryIn],
    file: File[UploadedFile],
    idempotency_key: str | None = Header(  # type: ignore[type-arg]
        None, alias="Idempotency-Key", max_length=idempotency.KEY_MAX, description=KEY_HELP
    ),
) -> Any:
    need(request, RESOURCE, "write")
    user = _may_import(request)
    if file.size is not None and file.size > max_bytes():
        return Status(413, {"detail": f"The file is larger than {max_bytes():,} bytes: send it in parts by period."})
    fields = delivery.model_dump(mode="json")

    def do() -> tuple[int, Any]:
        data = {**fields, "data_sharing_agreement": fields["data_sharing_agreement_id"]}
        data.pop("data_sharing_agreement_id")
        form = UploadForm({k: "" if v is None else v for k, v in data.items()}, {"file": file})
        if not form.is_valid():
            return 422, {"detail": _form_errors(form)}
        cleaned = form.cleaned_data
        path = save_upload(cleaned["file"])
        try:
            # What the import would refuse on opening the file, refused now, with the import's own reason.
            refuse_unreadable(path=path, kind=cleaned["kind"], profile=cleaned["profile"])
            run = create_import_run(by=user, **form.import_run_fields())
        except ImportError_ as error:
            shutil.rmtree(path.parent, ignore_errors=True)
            return 422, {"detail": str(error)}
        job = start_import(run=run, upload=path, by=user)
        run = ImportRun.objects.select_related("dataset_version").get(pk=run.pk)
        return 202, {"delivery": render(run), "job": jobs.render(job)}

    try:
        status, answer = idempotency.once(
            user=user,
            key=idempotency_key,
            operation="deliver",
            body={**fields, "file_name": file.name, "sha256": _digest(file)},
            do=do,
        )
    except idempotency.KeyReused:
        return Status(422, {"detail": "This Idempotency-Key was first used for a different request: use a new key."})
    return Status(status, answer)


@router.get(
    "/{delivery_id}",
    response=answers(DeliveryReport),
    summary="A delivery's validation report: its status, counts and bad rows by line, column and reason",
)
def get_delivery(request: HttpRequest, delivery_id: uuid.UUID, page: Query[PageQuery]) -> Any:
    user = need(request, RESOURCE, "read")
    run = selectors.get_import_run(for_user=user, run_id=delivery_id)
    problems = paging.page(run.problems.all(), cursor=page.cursor, limit=page.limit, render=_problem)
    record(by=user, action="view_import_report", obj=run, detail=via(request, rows=len(problems["items"])))
    return {**render(run), "problems": problems["items"], "next_cursor": problems["next_cursor"]}
