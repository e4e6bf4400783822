"""Your account: two-step verification (set up, verify at sign-in, recovery codes) and changing your password."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from wholefamily.governance import mfa
from wholefamily.governance.audit import record
from wholefamily.governance.forms import CodeForm, PasswordChangeForm
from wholefamily.web.http import posted, signed_in_user

_CODES_KEY = "wholefamily_new_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("web:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_set_up(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if mfa.has_second_factor(user):
        return HttpResponseRedirect(reverse("governance:account"))
    device = mfa.pending_app_device(user=user)
    form = CodeForm(posted(request))
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows for WholeFamily."
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_app(device=device, code=form.cleaned_data["code"], by=user)
        if codes is not None:
            otp_login(request, device)
            request.session[_CODES_KEY] = codes
            messages.success(request, "Two-step verification is set up")
            return HttpResponseRedirect(reverse("governance:mfa_codes") + "?next=" + _next_url(request))
        form.add_error("code", "That code is not right: check the time on your phone and enter the newest code")
    secret = base64.b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "config_url": device.config_url,
        "required": mfa.is_required_for(user),
        "next": _next_url(request),
    }
    return render(request, "governance/mfa_set_up.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not mfa.has_second_factor(user):
        return HttpResponseRedirect(reverse("governance:mfa_set_up"))
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        device = mfa.verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if mfa.recovery_codes_left(user) < 3:
                messages.info(request, "You have few recovery codes left: make new ones from Your account")
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", "That code is not right. Wait a few seconds, then enter the newest code")
    context = {"form": form, "next": _next_url(request)}
    return render(request, "governance/mfa_verify.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes are shown once, straight after they are made."""
    user = signed_in_user(request)
    if request.method == "POST":
        if not mfa.has_second_factor(user):
            raise PermissionDenied
        request.session[_CODES_KEY] = mfa.replace_recovery_codes(by=user)
        return HttpResponseRedirect(reverse("governance:mfa_codes"))
    codes = request.session.pop(_CODES_KEY, None)
    if not codes:
        return HttpResponseRedirect(reverse("governance:account"))
    return render(request, "governance/mfa_codes.html", {"codes": codes, "next": _next_url(request)})


@login_required
@require_POST
def mfa_turn_off(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if mfa.is_required_for(user):
        raise PermissionDenied("Two-step verification is required for your role.")
    mfa.turn_off(user=user, by=user)
    messages.success(request, "Two-step verification is turned off")
    return HttpResponseRedirect(reverse("governance:account"))


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "has_second_factor": mfa.has_second_factor(user),
        "required": mfa.is_required_for(user),
        "codes_left": mfa.recovery_codes_left(user),
    }
    return render(request, "governance/account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Self-service: the current password, then a new one checked against the password rules."""
    user = signed_in_user(request)
    form = PasswordChangeForm(user, posted(request))
    form.fields["old_password"].label = "Your current password"
    form.fields["new_password1"].label = "New password"
    form.fields["new_password2"].label = "New password again"
    if request.method == "POST":
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, user)
            record(by=user, action="account.change_password", obj=user)
            messages.success(request, "Your password has been changed")
            return HttpResponseRedirect(reverse("governance:account"))
        record(by=user, action="account.change_password", obj=user, outcome="failed")
    return render(request, "governance/password_change.html", {"form": form}, status=400 if form.errors else 200)
