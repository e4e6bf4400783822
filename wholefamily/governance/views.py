"""Teams, staff records and the audit log. HTTP concerns only: reads go through selectors and access."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wholefamily.domain.roles import Role
from wholefamily.governance import access, selectors
from wholefamily.governance.forms import AuditFilterForm
from wholefamily.governance.models import StaffProfile, Team


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.teams_for(for_user=request.user)
    context = {"teams": teams, "may_administer": access.has_role(request.user, Role.ADMINISTRATOR)}
    return render(request, "governance/team_list.html", context)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.get_object_for(request.user, Team.objects.all(), pk=pk, team_field="pk", is_personal=False)
    staff = selectors.staff_for(for_user=request.user, team=team)
    context = {"team": team, "staff": staff, "may_administer": access.has_role(request.user, Role.ADMINISTRATOR)}
    return render(request, "governance/team_detail.html", context)


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.get_object_for(
        request.user, StaffProfile.objects.select_related("user", "team"), pk=pk, team_field="team", is_personal=True
    )
    roles = sorted(access.user_roles(profile.user), key=lambda role: role.label)
    context = {"profile": profile, "roles": roles, "may_administer": access.has_role(request.user, Role.ADMINISTRATOR)}
    return render(request, "governance/staff_detail.html", context)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not access.has_role(request.user, *selectors.AUDIT_READERS):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_for(for_user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "governance/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
