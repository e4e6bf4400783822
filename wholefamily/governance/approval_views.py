"""Pages of the two-person rule: the gate a download passes, asking for approval, and deciding it (ADR 0015)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from wholefamily.governance import access, approvals
from wholefamily.governance.forms import ApprovalDecisionForm, ApprovalRequestForm
from wholefamily.governance.models import Approval
from wholefamily.web.http import posted, signed_in_user

_SALT = "wholefamily.governance.approval-request"


def gate(
    request: HttpRequest, *, kind: str, subject: str, fingerprint: str, summary: dict[str, Any]
) -> HttpResponse | None:
    """None when a second person has approved exactly this content; otherwise the page that says so and offers
    to ask (200: a step on the way to the file, for the roles who may have it once approved). What is asked for is
    signed here, so the request cannot be altered on its way back."""
    if approvals.current_approval(kind=kind, subject=subject, fingerprint=fingerprint) is not None:
        return None
    payload = {"kind": kind, "subject": subject, "fingerprint": fingerprint, "summary": summary,
               "next": request.get_full_path()}  # fmt: skip
    form = ApprovalRequestForm(initial={"request": signing.dumps(payload, salt=_SALT)})
    context = {
        "kind": approvals.kind_of(kind),
        "subject": subject,
        "summary": summary,
        "pending": approvals.pending_request(kind=kind, subject=subject, fingerprint=fingerprint),
        "form": form,
        "may_request": approvals.may_request(request.user, kind),
    }
    return render(request, "governance/approval_needed.html", context)


@login_required
@require_POST
def approval_request(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ApprovalRequestForm(request.POST)
    try:
        payload = signing.loads(request.POST.get("request", ""), salt=_SALT)
    except signing.BadSignature:
        raise PermissionDenied from None
    if not form.is_valid():
        context = {"kind": approvals.kind_of(payload["kind"]), "subject": payload["subject"],
                   "summary": payload["summary"], "pending": None, "form": form, "may_request": True}  # fmt: skip
        return render(request, "governance/approval_needed.html", context, status=400)
    try:
        approvals.request_approval(
            kind=payload["kind"], subject=payload["subject"], fingerprint=payload["fingerprint"],
            reason=form.cleaned_data["reason"], summary=payload["summary"], by=user,
        )  # fmt: skip
    except approvals.ApprovalError as error:
        raise PermissionDenied(str(error)) from None
    messages.success(request, "Your request has been sent. A second person must approve it before you can go on.")
    next_url = str(payload.get("next", ""))
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    return HttpResponseRedirect(next_url if safe else reverse("governance:approval_list"))


@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not any(approvals.may_request(user, code) or access.user_roles(user) & kind.approvers
               for code, kind in approvals.rule().kinds.items()):  # fmt: skip
        raise PermissionDenied
    visible = list(approvals.approvals_for(for_user=user)[:200])
    waiting = [a for a in visible if a.state == Approval.State.PENDING and approvals.may_approve(user, a)]
    others = [a for a in visible if a not in waiting]
    return render(request, "governance/approval_list.html", {"waiting": waiting, "others": others,
                                                              "kinds": approvals.rule().kinds})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def approval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    approval = access.get_object_for(user, approvals.approvals_for(for_user=user), pk=pk, team_field=None,
                                     is_personal=False)  # fmt: skip
    may_decide = approval.state == Approval.State.PENDING and approvals.may_approve(user, approval)
    form = ApprovalDecisionForm(posted(request)) if may_decide else None
    refusal = ""
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                approvals.decide_approval(approval=approval, approve=form.cleaned_data["decision"] == "approve",
                                          note=form.cleaned_data["note"], by=user)  # fmt: skip
            except approvals.ApprovalError as error:
                refusal = str(error)
            else:
                messages.success(request, "Your decision has been recorded")
                return HttpResponseRedirect(reverse("governance:approval_list"))
    context = {"approval": approval, "kind": approvals.kind_of(approval.kind), "form": form, "refusal": refusal}
    return render(request, "governance/approval_detail.html", context, status=400 if form and form.errors else 200)
