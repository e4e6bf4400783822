"""Fetching one family's case for the user asking, and its page's address: shared by the apps that add to
the family page (outcomes, claims) without importing the cases views."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from wholefamily.cases.models import Case
from wholefamily.domain.roles import Action
from wholefamily.governance import access


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


def family_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:family", args=[case.pk]) + (f"#{anchor}" if anchor else "")
