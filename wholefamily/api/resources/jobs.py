"""Background jobs and their progress, through the jobs app's selectors (a user sees the jobs they started;
those who oversee jobs see every job)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from wholefamily.api import paging
from wholefamily.api.resources.common import PageQuery, answers
from wholefamily.api.schemas import JobOut, JobPage
from wholefamily.api.security import need
from wholefamily.jobs import selectors
from wholefamily.jobs.models import Job

PREFIX = "/jobs"
RESOURCE = "jobs"
router = Router(tags=["Jobs"])


class JobFilters(PageQuery):
    status: Job.Status | None = Field(None, description="Only jobs in this state.")
    kind: str | None = Field(None, max_length=40)


def render(job: Job) -> dict[str, Any]:
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "error": job.error,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "result": job.result if isinstance(job.result, dict) else {},
    }


@router.get("", response=answers(JobPage), summary="List the jobs you may see")
def list_jobs(request: HttpRequest, filters: Query[JobFilters]) -> Any:
    user = need(request, RESOURCE, "read")
    jobs = selectors.visible_jobs(for_user=user)
    if filters.status is not None:
        jobs = jobs.filter(status=filters.status)
    if filters.kind:
        jobs = jobs.filter(kind=filters.kind)
    return paging.page(jobs, cursor=filters.cursor, limit=filters.limit, render=render)


@router.get("/{job_id}", response=answers(JobOut), summary="One job and its progress")
def get_job(request: HttpRequest, job_id: str) -> Any:
    user = need(request, RESOURCE, "read")
    return render(selectors.get_job(for_user=user, job_id=job_id[:64]))
