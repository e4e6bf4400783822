"""Fetching one family's case for the user asking, its pages' addresses, and the audit of a list of families: shared
by the apps that add to the family record (outcomes, claims) and by the API, without importing the cases views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from wholefamily.cases.models import Case
from wholefamily.domain.roles import Action
from wholefamily.governance import access
from wholefamily.governance.audit import record


def case_for(request: HttpRequest, pk: int, *, action: Action = Action.VIEW) -> Case:
    """The case if the user may see (or change) it: 404 for another team's, or a colleague's for a key worker."""
    return access.get_object_for(
        request.user,
        Case.objects.select_related("team", "key_worker", "previous_case"),
        action=action,
        team_field="team",
        worker_field="key_worker",
        is_personal=True,
        pk=pk,
    )


# The family record's sub-pages (a long page split by concern), in the order of its sub-navigation: slug, title.
# The summary (with the members) is the record's own address.
FAMILY_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary and members"),
    ("assessment-and-plan", "Assessment and plan"),
    ("reviews", "Reviews and meetings"),
    ("consent", "Consent"),
    ("budget", "Budget"),
    ("chronology", "Chronology"),
)
# Where each part of the record lives (the anchors that forms return to).
SECTION_OF_ANCHOR = {
    "summary": "summary",
    "members": "summary",
    "assessment": "assessment-and-plan",
    "plan": "assessment-and-plan",
    "reviews": "reviews",
    "meetings": "reviews",
    "consent": "consent",
    "budget": "budget",
    "chronology": "chronology",
}


def family_url(case: Case, anchor: str = "") -> str:
    """The family record's page that holds `anchor` ("plan", "members"...), with the anchor."""
    return section_url(case, SECTION_OF_ANCHOR.get(anchor, "summary")) + (f"#{anchor}" if anchor else "")


def section_url(case: Case, section: str) -> str:
    """The address of one of the family record's sub-pages (FAMILY_SECTIONS)."""
    if section == "summary":
        return reverse("cases:family", args=[case.pk])
    return reverse("cases:family_section", args=[case.pk, section])


def audit_list(user: Any, page: str, count: int, **detail: Any) -> None:
    """Lists of families are reads of personal records too: one audit event a list, naming the page and its rows."""
    record(by=user, action="view", object_type="cases.case_list", object_id=page, detail={"rows": count, **detail})
