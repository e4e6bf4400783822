"""Which roles may open a page: one rule, read both by the view that guards the page and by the templates that link
to it, so no link or tab is shown to a role that would be refused.

A view declares its roles with `@page_for(*roles)` (it answers 403 to anyone else); a template asks
`{% may_open "cases:team" as show %}` (or `may_open(user, "cases:team")` in Python), which resolves the URL to its
view and reads the same roles. A view without `page_for` is open to every signed-in user; objects on it are
still scoped by the access door (`governance.access`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from wholefamily.domain.roles import Role
from wholefamily.governance import access

View = TypeVar("View", bound=Callable[..., Any])
ATTRIBUTE = "page_roles"


def page_for(*roles: Role) -> Callable[[View], View]:
    """Only these roles (or a superuser) may open the page; anyone else gets 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not access.has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(guarded, ATTRIBUTE, tuple(roles))
        return guarded  # type: ignore[return-value]

    return decorate


def roles_for(path: str) -> tuple[Role, ...] | None:
    """The roles a page at `path` is for; None when it is for every signed-in user (or unknown)."""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return None
    roles: tuple[Role, ...] | None = getattr(match.func, ATTRIBUTE, None)
    return roles


def may_open(user: AbstractBaseUser | AnonymousUser, url_name: str, *args: Any) -> bool:
    """Whether `user` may open the page named `url_name` (with `args`), by the rule its view enforces."""
    if not user.is_authenticated:
        return False
    try:
        path = reverse(url_name, args=args or None)
    except NoReverseMatch:
        return False
    roles = roles_for(path)
    return roles is None or access.has_role(user, *roles)
