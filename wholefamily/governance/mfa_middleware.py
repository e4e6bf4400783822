"""Sends a signed-in user to the second step before any other page: to verify a code if they have set up
two-step verification, or to set it up first if their role requires it (ADR 0015)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from wholefamily.governance import mfa

# Pages a signed-in user reaches before the second step: the step itself, and signing out.
OPEN_BEFORE_SECOND_STEP = frozenset({"governance:mfa_verify", "governance:mfa_set_up", "logout", "login"})


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
            return self.get_response(request)
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = ""
        if name in OPEN_BEFORE_SECOND_STEP:
            return self.get_response(request)
        target = None
        if mfa.has_second_factor(user):
            target = "governance:mfa_verify"
        elif mfa.is_required_for(user):
            target = "governance:mfa_set_up"
        if target is None:
            return self.get_response(request)
        response = redirect(target)
        path = request.get_full_path()
        if request.method == "GET" and url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}):
            response["Location"] += "?" + urlencode({"next": path})
        return response
