"""Small HTTP helpers every app's views share."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required comes first; this narrows the type
        raise PermissionDenied
    return user


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so it is validated), or None to show an unbound form."""
    return request.POST if request.method == "POST" else None
