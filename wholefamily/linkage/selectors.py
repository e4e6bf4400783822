"""Linkage reads for the web, scoped to the roles that may see linkage (data analysts and administrators)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.linkage.models import LinkageRun

LINKAGE_ROLES = (Role.DATA_ANALYST, Role.ADMINISTRATOR)


def linkage_runs(*, for_user: Any) -> QuerySet[LinkageRun]:
    """Every linkage run, newest first; only data analysts and administrators may see them."""
    if not access.has_role(for_user, *LINKAGE_ROLES):
        raise PermissionDenied
    return LinkageRun.objects.select_related("started_by").order_by("-started_at")
