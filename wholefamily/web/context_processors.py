"""The service navigation: which sections a signed-in user sees depends on their roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse

from wholefamily.claims.selectors import CLAIM_READERS
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.approvals import APPROVAL_ROLES
from wholefamily.governance.selectors import AUDIT_READERS
from wholefamily.identification.selectors import RUN_READERS
from wholefamily.linkage.selectors import LINKAGE_ROLES
from wholefamily.web import pages

ALL_ROLES = tuple(Role)
JOB_WATCHERS = (Role.DATA_ANALYST, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
# Key workers reach the families of a cohort from their caseload, so the section is for everyone else who may.
COHORT_READERS = tuple(role for role in RUN_READERS if role is not Role.KEY_WORKER)
CASE_WORKERS = (Role.KEY_WORKER, Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER)
# Everyone who may see personal data finds people (a commissioner sees figures only, a provider its contracts).
SEARCHERS = tuple(role for role in Role if role not in (Role.COMMISSIONER, Role.PROVIDER))


@dataclass(frozen=True)
class NavigationEntry:
    text: str
    url_name: str
    roles: tuple[Role, ...]
    is_superuser_only: bool = False  # Django's admin lets in superusers only (ADR 0014)

    def is_for(self, user: AbstractBaseUser) -> bool:
        if self.is_superuser_only and not getattr(user, "is_superuser", False):
            return False
        # The entry's roles, and the rule the page's own view enforces (web/pages.py), so a tab never answers 403.
        return access.has_role(user, *self.roles) and pages.may_open(user, self.url_name)


@dataclass(frozen=True)
class NavigationItem:
    text: str
    href: str
    is_current: bool


# In the order shown. Only what exists: add an entry when its pages are built.
NAVIGATION: tuple[NavigationEntry, ...] = (
    NavigationEntry("Home", "web:dashboard", ALL_ROLES),
    NavigationEntry("Families", "cases:caseload", CASE_WORKERS),
    NavigationEntry("Find", "cases:search", SEARCHERS),
    NavigationEntry("Data sets", "ingest:version_list", (Role.DATA_ANALYST, Role.ADMINISTRATOR)),
    NavigationEntry("Linkage", "linkage:run_list", LINKAGE_ROLES),
    NavigationEntry("Pairs to review", "linkage:review_list", LINKAGE_ROLES),
    NavigationEntry("Identification", "identification:runs", COHORT_READERS),
    NavigationEntry("Outcomes", "outcomes:report", (Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER, Role.COMMISSIONER)),
    NavigationEntry("Impact", "impact:report", (Role.PROGRAMME_MANAGER, Role.COMMISSIONER, Role.DATA_ANALYST)),
    NavigationEntry("Claims", "claims:list", CLAIM_READERS),
    NavigationEntry("Reports", "reporting:index", (Role.PROGRAMME_MANAGER, Role.COMMISSIONER)),
    NavigationEntry("Services", "commissioning:service_list", (Role.PROGRAMME_MANAGER, Role.COMMISSIONER)),
    NavigationEntry(
        "Contracts", "commissioning:contract_list", (Role.PROGRAMME_MANAGER, Role.COMMISSIONER, Role.PROVIDER)
    ),
    NavigationEntry("Case file audits", "reporting:case_audits", (Role.TEAM_MANAGER,)),
    NavigationEntry("Teams", "governance:team_list", ALL_ROLES),
    NavigationEntry("Staff", "governance:staff_list", (Role.ADMINISTRATOR,)),
    NavigationEntry("Background jobs", "jobs:job_list", JOB_WATCHERS),
    NavigationEntry("Audit log", "governance:audit_log", AUDIT_READERS),
    NavigationEntry("Approvals", "governance:approval_list", APPROVAL_ROLES),
    NavigationEntry("Administration", "admin:index", (Role.ADMINISTRATOR,), is_superuser_only=True),
)


def navigation_items(request: HttpRequest) -> list[NavigationItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    entries = [entry for entry in NAVIGATION if entry.is_for(user)]
    hrefs = [reverse(entry.url_name) for entry in entries]
    current = _current_href(request.path, hrefs)
    return [
        NavigationItem(text=entry.text, href=href, is_current=href == current)
        for entry, href in zip(entries, hrefs, strict=True)
    ]


def _current_href(path: str, hrefs: list[str]) -> str | None:
    """The entry the page belongs to: the longest href that the path starts with ("/" only for itself)."""
    matches = [href for href in hrefs if path == href or (href != "/" and path.startswith(href))]
    return max(matches, key=len, default=None)


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"navigation": navigation_items(request)}
