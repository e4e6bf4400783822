"""Lists of families: my caseload, the team's caseload, the waiting list, reviews due and the progress table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wholefamily.cases import from_cohort, selectors, services
from wholefamily.cases.forms import EstimateForm
from wholefamily.cases.views.common import audit_list, form_page, posted, signed_in_user
from wholefamily.domain.pathway import Stage
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.models import Team
from wholefamily.web.pages import page_for

PAGE_SIZE = 50


def _page_number(request: HttpRequest) -> str:
    return request.GET.get("page", "1")[:10]


@login_required
@page_for(Role.KEY_WORKER, Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER)
def caseload(request: HttpRequest) -> HttpResponse:
    """My caseload: the families allocated to me, soonest review first."""
    cases = selectors.caseload_for(for_user=request.user)
    page = Paginator(cases, PAGE_SIZE).get_page(_page_number(request))
    audit_list(request.user, "caseload", len(page.object_list))
    today = timezone.localdate()
    waiting = selectors.waiting_list_for(for_user=request.user).count()
    return render(request, "cases/caseload.html", {"page": page, "today": today, "waiting_count": waiting})


@login_required
@page_for(Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER)
def team_caseload(request: HttpRequest) -> HttpResponse:
    """A manager's view of a team: each worker's caseload against the limit, and every open family."""
    teams = selectors.managed_teams_for(for_user=request.user)
    if not teams.exists():
        raise PermissionDenied
    requested = request.GET.get("team", "")
    team = teams.filter(pk=int(requested)).first() if requested.isdigit() else None
    team = team or teams.first()
    assert team is not None
    loads = selectors.worker_loads(team=team)
    run, identified = from_cohort.families_to_take_on(team=team)
    open_cases = (
        selectors.cases_for(for_user=request.user)
        .filter(team=team)
        .exclude(stage=Stage.CLOSED)
        .order_by("key_worker__last_name", "priority", "reference")
    )
    page = Paginator(open_cases, PAGE_SIZE).get_page(_page_number(request))
    audit_list(request.user, f"team:{team.pk}", len(page.object_list))
    context = {
        "team": team,
        "teams": teams if teams.count() > 1 else [],
        "loads": loads,
        "page": page,
        "waiting": selectors.waiting_list_for(for_user=request.user, team=team)[:100],
        "page_query": f"team={team.pk}",
        "run": run,
        "identified": identified,
        "today": timezone.localdate(),
    }
    return render(request, "cases/team.html", context)


@login_required
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Families waiting for a key worker, highest priority and longest waiting first."""
    cases = selectors.waiting_list_for(for_user=request.user)
    page = Paginator(cases, PAGE_SIZE).get_page(_page_number(request))
    audit_list(request.user, "waiting_list", len(page.object_list))
    now = timezone.now()
    rows = [(case, selectors.waiting_time(case, now)) for case in page.object_list]
    return render(request, "cases/waiting.html", {"page": page, "rows": rows})


@login_required
def reviews_due(request: HttpRequest) -> HttpResponse:
    """Reviews overdue, and due in the next two weeks."""
    today = timezone.localdate()
    cases = list(selectors.reviews_due_for(for_user=request.user, today=today, within_days=14)[:500])
    audit_list(request.user, "reviews_due", len(cases))
    overdue = [case for case in cases if case.next_review_due_on and case.next_review_due_on < today]
    due = [case for case in cases if case not in overdue]
    return render(request, "cases/reviews_due.html", {"overdue": overdue, "due": due, "today": today})


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """The progress table by district (Working Together With Families (Lancashire, 2013), §2.4): counts only,
    no personal records."""
    rows = selectors.progress_by_district(for_user=request.user)
    if not rows and not access.user_roles(request.user):
        raise PermissionDenied
    totals = {
        "with_plan": sum(r.with_plan for r in rows),
        "awaiting_allocation": sum(r.awaiting_allocation for r in rows),
        "information_gathering": sum(r.information_gathering for r in rows),
        "remaining": sum(r.remaining or 0 for r in rows),
    }
    context = {
        "rows": rows,
        "totals": totals,
        "today": timezone.localdate(),
        "may_set_estimates": access.has_role(request.user, Role.PROGRAMME_MANAGER),
    }
    return render(request, "cases/progress.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@page_for(Role.PROGRAMME_MANAGER)
def set_estimate(request: HttpRequest) -> HttpResponse:
    """A programme manager sets a district's estimate of families (the progress table's 'remaining')."""
    user = signed_in_user(request)
    districts = sorted(set(Team.objects.values_list("district", flat=True)))
    form = EstimateForm(posted(request), districts=districts)

    def save() -> str:
        services.set_district_estimate(
            district=form.cleaned_data["district"],
            families_estimated=form.cleaned_data["families_estimated"],
            by=user,
        )
        return reverse("cases:progress")

    return form_page(
        request,
        form=form,
        title="Set a district's estimate",
        submit_text="Save the estimate",
        back_url=reverse("cases:progress"),
        save=save,
        success="The estimate has been saved.",
        intro="The progress table shows the estimate less the families past identification.",
    )
