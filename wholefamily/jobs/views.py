"""Background jobs on the web: the list, one job with its progress bar, its progress as JSON, start, cancel.

HTTP concerns only: reads go through selectors (scoped to the user), writes through services.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from wholefamily.jobs import selectors
from wholefamily.jobs.kinds import CHECK_DATA_STORE
from wholefamily.jobs.models import STALLED, Job
from wholefamily.jobs.services import can_cancel_job, cancel_job, start_job

LIST_LIMIT = 100

STATUS_TAG_CLASSES: dict[str, str] = {
    Job.Status.QUEUED: "govuk-tag--grey",
    Job.Status.RUNNING: "govuk-tag--blue",
    Job.Status.SUCCEEDED: "govuk-tag--green",
    Job.Status.FAILED: "govuk-tag--red",
    Job.Status.CANCELLED: "govuk-tag--yellow",
    STALLED: "govuk-tag--orange",
}


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(selectors.visible_jobs(for_user=request.user)[:LIST_LIMIT])
    for job in jobs:
        job.tag_class = STATUS_TAG_CLASSES[job.shown_status]  # type: ignore[attr-defined]
        job.progress_text = progress_text(job)  # type: ignore[attr-defined]
    context = {
        "jobs": jobs,
        "can_start_check": selectors.may_start(user=request.user, kind=CHECK_DATA_STORE),
        "check_title": CHECK_DATA_STORE.title,
    }
    return render(request, "jobs/job_list.html", context)


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = selectors.get_job(for_user=request.user, job_id=job_id)
    label, tag_class = shown_outcome(job)
    context = {
        "job": job,
        "status_label": label,
        "tag_class": tag_class,
        "bar": progress_bar(job),
        "can_cancel": can_cancel_job(job=job, user=_staff(request)),
        "result_rows": _result_rows(job.result),
        "report": _report_link(job),
    }
    return render(request, "jobs/job_detail.html", context)


OUTCOME_TONES = {"success": "govuk-tag--green", "warning": "govuk-tag--yellow", "failure": "govuk-tag--red"}


def shown_outcome(job: Job) -> tuple[str, str]:
    """The status label and tag class: a finished job's own outcome when its work names one (an import that
    found the file already imported succeeded as a job, and says "Already imported"), else the job's status."""
    outcome, tone = job.result.get("outcome"), job.result.get("outcome_tone")
    if job.status == Job.Status.SUCCEEDED and isinstance(outcome, str) and tone in OUTCOME_TONES:
        return outcome, OUTCOME_TONES[tone]
    return job.shown_status_label, STATUS_TAG_CLASSES[job.shown_status]


def _report_link(job: Job) -> tuple[str, str] | None:
    """(href, text) of the page the finished job's work wrote (an import's report, a run's figures)."""
    href, text = job.result.get("report"), job.result.get("report_text") or "See the result"
    if job.is_finished and isinstance(href, str) and href.startswith("/") and not href.startswith("//"):
        return href, str(text)
    return None


@never_cache
@require_GET
def job_progress(request: HttpRequest, job_id: uuid.UUID) -> JsonResponse:
    """Progress for the page's script. Not signed in: 401 (a redirect would hand the script a login page)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Sign in to see this job."}, status=401)
    job = selectors.get_job(for_user=request.user, job_id=job_id)
    return JsonResponse(progress_payload(job))


@login_required
@require_POST
def start_check_data_store(request: HttpRequest) -> HttpResponse:
    if not selectors.may_start(user=request.user, kind=CHECK_DATA_STORE):
        raise PermissionDenied
    job = start_job(
        kind=CHECK_DATA_STORE.code,
        title=CHECK_DATA_STORE.title,
        task=CHECK_DATA_STORE.task,
        args={},
        by=_staff(request),
    )
    messages.success(request, f"{CHECK_DATA_STORE.title}: the job is queued.")
    return redirect("jobs:job_detail", job_id=job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = selectors.get_job(for_user=request.user, job_id=job_id)
    job = cancel_job(job=job, by=_staff(request))
    if job.status == Job.Status.CANCELLED:
        messages.success(request, "The job is cancelled.")
    else:
        messages.info(request, f"The job had already {job.get_status_display().lower()}.")
    return redirect("jobs:job_detail", job_id=job.pk)


def _staff(request: HttpRequest) -> User:
    """The signed-in user of a view behind login_required."""
    return cast(User, request.user)


def progress_bar(job: Job) -> dict[str, Any]:
    """What the <progress> element and its text equivalent show. `value` None: size not known yet."""
    value: int | None
    if job.total is not None and job.total > 0:
        bar_max, value = job.total, min(job.done, job.total)
    elif job.total == 0 or job.status == Job.Status.SUCCEEDED:
        bar_max, value = 1, 1 if job.is_finished else 0
    else:
        bar_max, value = 1, (0 if job.is_finished else None)
    return {"max": bar_max, "value": value, "text": progress_text(job)}


def progress_text(job: Job) -> str:
    if job.status == Job.Status.QUEUED:
        return "Waiting for a worker to start it."
    if job.total is None:
        text = f"{job.done:,} done so far; the total is not known yet."
    else:
        text = f"{job.done:,} of {job.total:,} done ({job.percent}%)."
    if job.is_stalled:
        last = job.heartbeat_at or job.started_at
        since = f" since {timezone.localtime(last):%H:%M on %-d %B %Y}" if last else ""
        text += f" Nothing heard from its worker{since}."
    return text


def progress_payload(job: Job) -> dict[str, Any]:
    bar = progress_bar(job)
    return {
        "bar_max": bar["max"],
        "bar_value": bar["value"],
        "text": bar["text"],
        "id": str(job.pk),
        "status": job.shown_status,
        "status_label": job.shown_status_label,
        "is_stalled": job.is_stalled,
        "is_finished": job.is_finished,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "error": job.error,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


RESULT_LABELS = {
    "root": "Data store folder",
    "files": "Files checked",
    "bytes": "Total size",
    "fingerprint": "Fingerprint of the whole store",
    "unreadable": "Files that could not be read",
    "unreadable_examples": "Some of the files that could not be read",
    "manifest": "List of checksums",
    "previous_fingerprint": "Fingerprint at the last check",
    "is_unchanged_since_last_check": "Unchanged since the last check",
}


HIDDEN_RESULT_KEYS = frozenset({"report", "report_text", "outcome", "outcome_tone"})


def _result_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """The result summary as label/value pairs for a summary list, in the order the job wrote them (the link to
    the work's own page and its outcome are shown apart)."""
    rows = []
    for key, value in result.items():
        if key in HIDDEN_RESULT_KEYS:
            continue
        label = RESULT_LABELS.get(key, key.replace("_", " ").capitalize())
        if isinstance(value, bool):
            text = "Yes" if value else "No"
        elif key == "bytes" and isinstance(value, int):
            text = f"{filesizeformat(value)} ({value:,} bytes)"
        elif isinstance(value, int):
            text = f"{value:,}"
        elif isinstance(value, list):
            text = ", ".join(str(item) for item in value) or "None"
        elif value is None or value == "":
            text = "None"
        else:
            text = str(value)
        rows.append((label, text))
    return rows
