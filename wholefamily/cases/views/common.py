"""What the case views share: fetching a case for the user, rendering a form page, audit of list pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from wholefamily.cases.models import Case
from wholefamily.cases.services import CaseError, StalePlanError
from wholefamily.domain.roles import Action
from wholefamily.governance import access
from wholefamily.governance.audit import record


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required comes first; this narrows the type
        raise PermissionDenied
    return user


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


def audit_list(user: AbstractBaseUser | AnonymousUser, page: str, count: int) -> None:
    """Lists of families are reads of personal records too."""
    record(by=user, action="view", object_type="cases.case_list", object_id=page, detail={"rows": count})


def form_page(
    request: HttpRequest,
    *,
    form: Form,
    title: str,
    submit_text: str,
    back_url: str,
    save: Callable[[], str],
    success: str,
    case: Case | None = None,
    intro: str = "",
    extra: dict[str, Any] | None = None,
    template: str = "cases/form.html",
) -> HttpResponse:
    """Show the form; on a valid POST call `save` (which returns where to go) and confirm with `success`.

    Refusals from the pathway (CaseError, StalePlanError) are shown on the form, with the user's input kept.
    """
    refusal, refusal_title = "", ""
    if request.method == "POST" and form.is_valid():
        try:
            next_url = save()
        except StalePlanError as error:
            refusal, refusal_title = str(error), "Someone else changed this plan"
        except CaseError as error:
            refusal = str(error)
        else:
            messages.success(request, success)
            return HttpResponseRedirect(next_url)
    context = {
        "form": form,
        "title": title,
        "submit_text": submit_text,
        "back_url": back_url,
        "case": case,
        "intro": intro,
        "refusal": refusal,
        "refusal_title": refusal_title,
        **(extra or {}),
    }
    status = 409 if refusal_title else 200  # 409 Conflict: a lost update was refused
    return render(request, template, context, status=status)


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so it is validated), or None to show an unbound form."""
    return request.POST if request.method == "POST" else None
