"""Request id and client address for the audit log, and the absolute session timeout."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from wholefamily.governance.audit import RequestContext, current_request
from wholefamily.governance.client_address import client_address
from wholefamily.governance.models import new_request_id

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,36}$")
SESSION_STARTED_KEY = "wholefamily_signed_in_at"


class RequestIdMiddleware:
    """Gives every request an id (kept from a trusted proxy's X-Request-ID if well-formed) for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request.set(RequestContext(request_id=request_id, ip_address=client_address(request)))
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request_id
        return response


class AbsoluteSessionTimeoutMiddleware:
    """Ends a session a fixed time after sign-in, however active (the idle timeout is the cookie age)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - float(started) > settings.WHOLEFAMILY_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "You have been signed out because your session reached its time limit.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
