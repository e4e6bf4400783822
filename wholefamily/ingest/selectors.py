"""Reads for ingest, scoped to the user asking: data analysts and administrators see every import."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent
from wholefamily.ingest.models import DatasetVersion, ImportRun

INGEST_ROLES = (Role.DATA_ANALYST, Role.ADMINISTRATOR)


def may_import(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and access.has_role(user, *INGEST_ROLES)


def _require(user: AbstractBaseUser | AnonymousUser, what: str) -> None:
    if not may_import(user=user):
        record(
            by=user,
            action="view",
            object_type=what,
            outcome=AuditEvent.Outcome.DENIED,
            detail={"decision": "forbidden"},
        )
        raise PermissionDenied("Only data analysts and administrators work with agency data sets.")


def dataset_versions(*, for_user: AbstractBaseUser | AnonymousUser, kind: str = "") -> QuerySet[DatasetVersion]:
    _require(for_user, DatasetVersion._meta.label_lower)
    versions = DatasetVersion.objects.select_related("imported_by", "data_sharing_agreement")
    return versions.filter(kind=kind) if kind else versions


def import_runs(*, for_user: AbstractBaseUser | AnonymousUser) -> QuerySet[ImportRun]:
    _require(for_user, ImportRun._meta.label_lower)
    return ImportRun.objects.select_related("started_by", "dataset_version", "data_sharing_agreement")


def get_import_run(*, for_user: AbstractBaseUser | AnonymousUser, run_id: uuid.UUID | str) -> ImportRun:
    runs = import_runs(for_user=for_user)
    try:
        return runs.get(pk=run_id)
    except (ImportRun.DoesNotExist, ValueError):
        raise Http404("No such import") from None


def declared_coverage(*, versions: Mapping[str, Sequence[str]]) -> dict[str, dt.date]:
    """How far each dataset kind's deliveries reach by their declared period (the import's period end): the latest
    period end among the kind's given dataset versions. Kinds with no declared period are left out (the caller then
    reads the latest record date). Provenance, not a person's record: read by batch computations (outcomes, claims)
    for whoever runs them, so not scoped to a user."""
    kind_of = {version: kind for kind, ids in versions.items() for version in ids}
    declared: dict[str, dt.date] = {}
    rows = DatasetVersion.objects.filter(version_id__in=list(kind_of), period_end_on__isnull=False).values_list(
        "version_id", "period_end_on"
    )
    for version_id, period_end_on in rows:
        if period_end_on is not None:
            kind = kind_of[version_id]
            declared[kind] = max(period_end_on, declared.get(kind, period_end_on))
    return declared
