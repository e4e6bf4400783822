"""Reads of extracts, for the roles that read them: county-wide roles (programme managers, data analysts, auditors,
administrators); family-level data, pseudonymous, of every team."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from wholefamily.domain.roles import Role
from wholefamily.extracts.models import Extract
from wholefamily.governance import access
from wholefamily.governance.access import AnyUser

EXTRACT_READERS = (Role.PROGRAMME_MANAGER, Role.DATA_ANALYST, Role.AUDITOR, Role.ADMINISTRATOR)
EXTRACT_BUILDERS = (Role.PROGRAMME_MANAGER, Role.DATA_ANALYST, Role.ADMINISTRATOR)


def may_read(user: AnyUser) -> bool:
    return access.has_role(user, *EXTRACT_READERS)


def may_build(user: AnyUser) -> bool:
    return access.has_role(user, *EXTRACT_BUILDERS)


def require_reader(user: AnyUser) -> None:
    if not may_read(user):
        raise PermissionDenied("Only programme managers, data analysts, auditors and administrators read extracts.")


def require_builder(user: AnyUser) -> None:
    if not may_build(user):
        raise PermissionDenied("Only programme managers, data analysts and administrators build extracts.")


def extracts_for(*, for_user: AnyUser, definition: str = "") -> QuerySet[Extract]:
    """The extracts kept, newest first (the file itself deferred)."""
    require_reader(for_user)
    extracts = Extract.objects.select_related("built_by").defer("content")
    if definition:
        extracts = extracts.filter(definition=definition)
    return access.scope(for_user, extracts, team_field=None, is_personal=True)


def extract_for(*, for_user: AnyUser, pk: int) -> Extract:
    try:
        return extracts_for(for_user=for_user).get(pk=pk)
    except Extract.DoesNotExist:
        raise Http404 from None


def extract_file(*, for_user: AnyUser, pk: int) -> Extract:
    """The extract with its file (the caller audits the download)."""
    try:
        return extracts_for(for_user=for_user).defer(None).get(pk=pk)
    except Extract.DoesNotExist:
        raise Http404 from None
