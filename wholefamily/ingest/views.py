"""Ingest on the web: upload a delivery (a background job), read its validation report, list dataset versions.

HTTP concerns only: reads through selectors (data analysts and administrators), writes through services.
"""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from wholefamily.governance.audit import record
from wholefamily.ingest import selectors
from wholefamily.ingest.forms import UploadForm
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.reports import problems_csv_lines
from wholefamily.ingest.services import ImportError_, create_import_run
from wholefamily.ingest.tasks import save_upload, start_import
from wholefamily.web.components import SummaryRow
from wholefamily.web.dates import govuk_date, govuk_datetime
from wholefamily.web.labels import label_for
from wholefamily.web.pages import page_for

PROBLEMS_PER_PAGE = 50
VERSIONS_PER_PAGE = 50
STATUS_TAGS = {
    ImportRun.Status.QUEUED: "govuk-tag--grey",
    ImportRun.Status.RUNNING: "govuk-tag--blue",
    ImportRun.Status.ACCEPTED: "govuk-tag--green",
    ImportRun.Status.REJECTED: "govuk-tag--red",
    ImportRun.Status.DUPLICATE: "govuk-tag--yellow",
    ImportRun.Status.FAILED: "govuk-tag--red",
    ImportRun.Status.INTERRUPTED: "govuk-tag--red",
}


def _staff(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    versions = selectors.dataset_versions(for_user=request.user, kind=kind)
    page = Paginator(versions, VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    runs = list(selectors.import_runs(for_user=request.user)[:10])
    for run in runs:
        run.tag_class = STATUS_TAGS[ImportRun.Status(run.status)]  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ingest/version_list.html",
        {"page": page, "versions": page.object_list, "runs": runs, "kind": kind, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if not selectors.may_import(user=request.user):
        raise PermissionDenied("Only data analysts and administrators import data sets.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = _staff(request)
        try:
            run = create_import_run(by=user, **form.import_run_fields())
        except ImportError_ as error:
            form.add_error(None, str(error))
        else:
            job = start_import(run=run, upload=save_upload(data["file"]), by=user)
            return redirect("jobs:job_detail", job_id=job.pk)
    return render(request, "ingest/upload.html", {"form": form})


def _run_rows(run: ImportRun) -> list[SummaryRow]:
    rows = [
        SummaryRow("Outcome", run.message or run.get_status_display()),
        SummaryRow("Kind", run.kind.replace("_", " ")),
        SummaryRow("Profile", run.profile),
        SummaryRow("Policy for bad rows", run.get_policy_display()),
        SummaryRow("File", f"{run.file_name} ({filesizeformat(run.file_size)})"),
        SummaryRow("SHA-256", run.sha256 or "Not yet computed"),
        SummaryRow("Supplier", run.supplier or "Not given"),
        SummaryRow(
            "Data-sharing agreement", str(run.data_sharing_agreement) if run.data_sharing_agreement else "Not given"
        ),
        SummaryRow("Received", f"{run.received_on:%-d %B %Y}"),
        SummaryRow(
            "Rows",
            f"{run.rows_read:,} read, {run.rows_accepted:,} accepted, {run.rows_bad:,} bad, "
            f"{run.rows_quarantined:,} quarantined",
        ),
        SummaryRow("Formula-like cells stored as text", f"{run.cells_flagged:,}"),
        SummaryRow("Started by", run.started_by.get_username() if run.started_by else "The command line"),
    ]
    if run.job_id:
        rows.append(
            SummaryRow(
                "Background job", "Progress", href=reverse("jobs:job_detail", args=[run.job_id]), action_text="Watch"
            )
        )
    return rows


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    run = selectors.get_import_run(for_user=request.user, run_id=run_id)
    page = Paginator(run.problems.order_by("id"), PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    record(by=request.user, action="view_import_report", obj=run)
    context = {
        "run": run,
        "tag_class": STATUS_TAGS[ImportRun.Status(run.status)],
        "rows": _run_rows(run),
        "page": page,
        "problems": page.object_list,
        "problems_not_shown": max(run.problems_total - page.paginator.count, 0),
        "is_finished": run.finished_at is not None,
    }
    return render(request, "ingest/run_detail.html", context)


@login_required
@require_GET
def run_report_csv(request: HttpRequest, run_id: uuid.UUID) -> StreamingHttpResponse:
    run = selectors.get_import_run(for_user=request.user, run_id=run_id)
    record(by=request.user, action="download_import_report", obj=run)
    response = StreamingHttpResponse(problems_csv_lines(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="validation-report-{run.pk}.csv"'
    return response


@login_required
@page_for(*selectors.INGEST_ROLES)
@require_GET
def version_detail(request: HttpRequest, version_id: str) -> HttpResponse:
    versions = selectors.dataset_versions(for_user=request.user)
    version = versions.filter(version_id=version_id).first()
    if version is None:
        raise Http404("No such dataset version")
    runs = list(version.import_runs.order_by("created_at"))
    return render(
        request, "ingest/version_detail.html", {"version": version, "rows": _version_rows(version), "runs": runs}
    )


def _version_rows(version: DatasetVersion) -> list[SummaryRow]:
    agreement = version.data_sharing_agreement
    return [
        SummaryRow("Kind", label_for(version.kind)),
        SummaryRow("Version", version.version_id),
        SummaryRow("Contract version", str(version.contract_version)),
        SummaryRow("Profile", version.profile),
        SummaryRow("Supplier", version.supplier or "Not given"),
        SummaryRow("Data-sharing agreement", str(agreement) if agreement else "Not given"),
        SummaryRow(
            "Period covered",
            f"{govuk_date(version.period_start_on) or 'unknown'} to {govuk_date(version.period_end_on) or 'unknown'}",
        ),
        SummaryRow("Received", govuk_date(version.received_on)),
        SummaryRow(
            "Rows",
            f"{version.rows_read:,} read, {version.rows_accepted:,} accepted, {version.rows_quarantined:,} quarantined",
        ),
        SummaryRow("File", f"{version.file_name} ({filesizeformat(version.file_size)})"),
        SummaryRow("SHA-256", version.sha256),
        SummaryRow("Imported by", version.imported_by.get_username() if version.imported_by else "The command line"),
        SummaryRow("Imported at", govuk_datetime(version.imported_at)),
    ]
