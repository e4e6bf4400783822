"""Reads of background jobs, always scoped to the user asking.

A user sees the jobs they started; data analysts, programme managers and administrators (and
superusers) oversee every job.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent
from wholefamily.jobs.kinds import JobKind
from wholefamily.jobs.models import Job

OVERSEER_ROLES = (Role.DATA_ANALYST, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)


def visible_jobs(*, for_user: AbstractBaseUser | AnonymousUser) -> QuerySet[Job]:
    jobs = Job.objects.select_related("created_by", "team")
    if not for_user.is_authenticated:
        return jobs.none()
    if access.has_role(for_user, *OVERSEER_ROLES):
        return jobs.all()
    return jobs.filter(created_by=for_user.pk)


def get_job(*, for_user: AbstractBaseUser | AnonymousUser, job_id: uuid.UUID | str) -> Job:
    """One job this user may see, or Http404 (a hidden job's denial is audited, never revealed)."""
    try:
        job_uuid = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
    except ValueError:
        raise Http404("No such job") from None
    try:
        return visible_jobs(for_user=for_user).get(pk=job_uuid)
    except Job.DoesNotExist:
        if Job.objects.filter(pk=job_uuid).exists():
            record(
                by=for_user,
                action="view",
                object_type=Job._meta.label_lower,
                object_id=str(job_uuid),
                outcome=AuditEvent.Outcome.DENIED,
                detail={"decision": "invisible"},
            )
        raise Http404("No such job") from None


def may_start(*, user: AbstractBaseUser | AnonymousUser, kind: JobKind) -> bool:
    return user.is_authenticated and access.has_role(user, *kind.starter_roles)
