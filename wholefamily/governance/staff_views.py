"""Staff administration pages for administrators (the service's own design; Django's admin is for superusers).
HTTP concerns only: the changes are `services.add_staff_member` and the functions of `governance.staff`."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from wholefamily.domain.roles import Role
from wholefamily.governance import access, services, staff
from wholefamily.governance.audit import record
from wholefamily.governance.forms import PasswordResetForm, StaffChangeForm, StaffCreateForm, TeamForm
from wholefamily.governance.models import StaffProfile, Team
from wholefamily.web.http import posted, signed_in_user


def _require_administrator(request: HttpRequest) -> None:
    if not staff.may_administer(request.user):
        raise PermissionDenied


def _profile_for(request: HttpRequest, pk: int) -> StaffProfile:
    return access.get_object_for(request.user, StaffProfile.objects.select_related("user", "team"), pk=pk,
                                 team_field="team", is_personal=True)  # fmt: skip


def _form_page(
    request: HttpRequest, *, form: Form, title: str, caption: str, submit_text: str, back_url: str,
    save: Callable[[], str], success: str,
) -> HttpResponse:  # fmt: skip
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            next_url = save()
        except (staff.StaffChangeError, ValidationError) as error:
            refusal = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        else:
            messages.success(request, success)
            return HttpResponseRedirect(next_url)
    context = {"form": form, "title": title, "caption": caption, "submit_text": submit_text, "back_url": back_url,
               "refusal": refusal}  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/staff_form.html", context, status=status)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    people = StaffProfile.objects.select_related("user", "team").prefetch_related("user__groups")
    page = Paginator(people.order_by("user__last_name", "user__first_name", "pk"), 50).get_page(request.GET.get("page"))
    record(by=request.user, action="view", object_type="governance.staffprofile", object_id="list",
           detail={"page": page.number})  # fmt: skip
    rows = [(profile, sorted(access.user_roles(profile.user), key=lambda role: role.label)) for profile in page]
    return render(request, "governance/staff_list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    user = signed_in_user(request)
    form = StaffCreateForm(posted(request))

    def save() -> str:
        data = form.cleaned_data
        profile = services.add_staff_member(
            username=data["username"], first_name=data["first_name"], last_name=data["last_name"],
            email=data["email"], roles={Role(value) for value in data["roles"]}, team=data["team"],
            job_title=data["job_title"], password=data["password"], by=user,
        )  # fmt: skip
        return reverse("governance:staff_detail", args=[profile.pk])

    return _form_page(request, form=form, title="Add a member of staff", caption="Staff", submit_text="Add them",
                      back_url=reverse("governance:staff_list"), save=save,
                      success="They have been added. Give them their temporary password in person.")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def staff_change(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    profile = _profile_for(request, pk)
    initial = {"roles": [role.value for role in access.user_roles(profile.user)], "team": profile.team,
               "job_title": profile.job_title}  # fmt: skip
    form = StaffChangeForm(posted(request), initial=initial)

    def save() -> str:
        data = form.cleaned_data
        staff.change_staff(profile=profile, roles={Role(value) for value in data["roles"]}, team=data["team"],
                           job_title=data["job_title"], by=request.user)  # fmt: skip
        return reverse("governance:staff_detail", args=[profile.pk])

    return _form_page(request, form=form, title="Change role or team", caption=str(profile), submit_text="Save",
                      back_url=reverse("governance:staff_detail", args=[profile.pk]), save=save,
                      success="Their roles and team have been changed")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def staff_password(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    profile = _profile_for(request, pk)
    form = PasswordResetForm(posted(request), user=profile.user)

    def save() -> str:
        staff.reset_password(profile=profile, password=form.cleaned_data["password"], by=request.user)
        return reverse("governance:staff_detail", args=[profile.pk])

    return _form_page(request, form=form, title="Reset their password", caption=str(profile),
                      submit_text="Reset password", back_url=reverse("governance:staff_detail", args=[profile.pk]),
                      save=save, success="Their password has been reset. Give them the new one in person.")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def staff_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate: the form says which, the same page confirms."""
    _require_administrator(request)
    profile = _profile_for(request, pk)
    activating = not profile.user.is_active
    form = Form(posted(request))

    def save() -> str:
        staff.set_active(profile=profile, is_active=activating, by=request.user)
        return reverse("governance:staff_detail", args=[profile.pk])

    verb = "Reactivate" if activating else "Deactivate"
    return _form_page(request, form=form, title=f"{verb} {profile}", caption="Staff", submit_text=verb,
                      back_url=reverse("governance:staff_detail", args=[profile.pk]), save=save,
                      success=f"{profile} has been {'reactivated' if activating else 'deactivated'}")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def staff_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset a member of staff's two-step verification (a lost phone)."""
    _require_administrator(request)
    profile = _profile_for(request, pk)
    form = Form(posted(request))

    def save() -> str:
        staff.reset_second_factor(profile=profile, by=request.user)
        return reverse("governance:staff_detail", args=[profile.pk])

    return _form_page(request, form=form, title="Reset their two-step verification", caption=str(profile),
                      submit_text="Reset two-step verification",
                      back_url=reverse("governance:staff_detail", args=[profile.pk]), save=save,
                      success="Two-step verification reset: they set it up again at next sign-in")  # fmt: skip


@login_required
def subject_access(request: HttpRequest) -> HttpResponse:
    """Everything held about one person: the page asks for the id, then offers the JSON file and the PDF."""
    import json

    from wholefamily.governance.forms import SubjectAccessForm
    from wholefamily.governance.subject_access import report_for, report_pdf

    _require_administrator(request)
    form = SubjectAccessForm(request.GET if "person_id" in request.GET else None)
    if not form.is_bound or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "governance/subject_access.html", {"form": form}, status=status)
    person_id = form.cleaned_data["person_id"]
    report = report_for(person_id=person_id, by=request.user)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="subject-access-{person_id}.pdf"'
        return response
    response = HttpResponse(json.dumps(report, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person_id}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    """A new team, in the service's own design (Django's admin is for superusers)."""
    _require_administrator(request)
    user = signed_in_user(request)
    form = TeamForm(posted(request), initial={"caseload_limit": 8})

    def save() -> str:
        data = form.cleaned_data
        team = services.create_team(name=data["name"], district=data["district"],
                                    caseload_limit=data["caseload_limit"], by=user)  # fmt: skip
        return reverse("governance:team_detail", args=[team.pk])

    return _form_page(request, form=form, title="Add a team", caption="Teams", submit_text="Add the team",
                      back_url=reverse("governance:team_list"), save=save,
                      success="The team has been added")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def team_change(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    user = signed_in_user(request)
    team = access.get_object_for(request.user, Team.objects.all(), pk=pk, team_field="pk", is_personal=False)
    initial = {"name": team.name, "district": team.district, "caseload_limit": team.caseload_limit}
    form = TeamForm(posted(request), initial=initial, team=team)

    def save() -> str:
        data = form.cleaned_data
        services.change_team(team=team, name=data["name"], district=data["district"],
                             caseload_limit=data["caseload_limit"], by=user)  # fmt: skip
        return reverse("governance:team_detail", args=[team.pk])

    return _form_page(request, form=form, title="Change the team", caption=team.name, submit_text="Save",
                      back_url=reverse("governance:team_detail", args=[team.pk]), save=save,
                      success="The team has been changed")  # fmt: skip
