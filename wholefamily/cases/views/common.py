"""What the case views share: fetching a case for the user, rendering a form page, audit of list pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from wholefamily.cases.lookups import audit_list, case_for, family_url
from wholefamily.cases.models import Case
from wholefamily.cases.services import CaseError, StaleRecordError
from wholefamily.web.http import posted, signed_in_user

__all__ = ["audit_list", "case_for", "family_url", "form_page", "posted", "signed_in_user"]


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

    Refusals from the pathway (CaseError, StaleRecordError) are shown on the form, with the user's input kept.
    """
    refusal, refusal_title = "", ""
    if request.method == "POST" and form.is_valid():
        try:
            next_url = save()
        except StaleRecordError as error:
            refusal, refusal_title = str(error), error.title
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
