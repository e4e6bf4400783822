"""Re-identification of pseudonymised data on the web (ADR 0020): ask with a list and a reason, a second person
approves on the approvals page, then the person who asked sees who each pseudonym is (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from wholefamily.governance import approvals, pseudonyms
from wholefamily.governance.forms import ReidentificationForm
from wholefamily.governance.models import Approval
from wholefamily.web.http import posted, signed_in_user
from wholefamily.web.pages import page_for

REQUESTERS = tuple(approvals.kind_of(approvals.REIDENTIFICATION).requesters)


@login_required
@page_for(*REQUESTERS)
@require_http_methods(["GET", "POST"])
def reidentification(request: HttpRequest) -> HttpResponse:
    """The form that asks, and this user's requests with their state."""
    user = signed_in_user(request)
    form = ReidentificationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        listed = form.cleaned_data["pseudonyms"]
        approved = pseudonyms.current_for(listed)
        if approved is not None and approved.requested_by_id == user.pk:
            return HttpResponseRedirect(reverse("governance:reidentification_result", args=[approved.pk]))
        pseudonyms.request_reidentification(listed=listed, reason=form.cleaned_data["reason"], by=user)
        messages.success(request, "Your request has been sent. A second person must approve it before you can see "
                                  "who they are.")  # fmt: skip
        return HttpResponseRedirect(reverse("governance:reidentification"))
    context = {
        "form": form,
        "requests": pseudonyms.reidentifications_for(for_user=user),
        "approved": Approval.State.APPROVED,
    }
    return render(request, "governance/reidentification.html", context, status=400 if form.errors else 200)


@login_required
@page_for(*REQUESTERS)
@require_GET
def reidentification_result(request: HttpRequest, pk: int) -> HttpResponse:
    """Who each pseudonym of an approved list is, for the person who asked (each person's read audited)."""
    user = signed_in_user(request)
    approval = Approval.objects.filter(pk=pk, kind=approvals.REIDENTIFICATION, requested_by_id=user.pk).first()
    if approval is None:
        raise Http404
    people = pseudonyms.reidentify(approval=approval, by=user)
    found = sum(1 for person in people if person.person_id)
    return render(request, "governance/reidentification_result.html",
                  {"approval": approval, "people": people, "found": found})  # fmt: skip
