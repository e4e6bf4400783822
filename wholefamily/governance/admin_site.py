"""Django's admin, narrowed to a superuser's break-glass tool (ADR 0014).

Only superusers get in, and a superuser is made only from the command line (`wholefamily createsuperuser`,
audited). Every request a superuser makes here is written to the audit log. Staff accounts, roles, teams and
passwords are managed through the service's own staff pages, never here: user accounts and groups are not
registered, nor are the sign-in throttle's and the task queue's tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.http import HttpRequest, HttpResponseBase

from wholefamily.governance.audit import record

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class SuperuserAdminSite(admin.AdminSite):
    site_header = "WholeFamily administration (superusers only)"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "is_superuser", False))

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        inner = super().admin_view(view, cacheable)

        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = inner(request, *args, **kwargs)
            if self.has_permission(request):
                record(
                    by=request.user,
                    action="admin.change" if request.method == "POST" else "admin.view",
                    object_type="admin.page",
                    object_id=request.path[:64],
                    detail={"method": request.method, "status": response.status_code},
                )
            return response

        audited.admin_site = self  # type: ignore[attr-defined]
        return cast("View", audited)
