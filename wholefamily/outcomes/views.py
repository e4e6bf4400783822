"""The outcomes pages of one family: distance travelled (table and radar chart) and recording a time point."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wholefamily.cases.lookups import case_for, family_url
from wholefamily.cases.models import Member
from wholefamily.domain.outcomes import distance
from wholefamily.domain.roles import Action, Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.jobs.services import start_job
from wholefamily.outcomes import selectors, services
from wholefamily.outcomes.definitions import distance_definition
from wholefamily.outcomes.forms import DistanceForm, MeasureForm
from wholefamily.outcomes.models import DistanceAssessment
from wholefamily.outcomes.tasks import MEASURE_OUTCOMES, measure
from wholefamily.web.http import posted, signed_in_user

MEASURERS = (Role.PROGRAMME_MANAGER, Role.DATA_ANALYST, Role.ADMINISTRATOR)


def distance_url(pk: int, anchor: str = "") -> str:
    return reverse("outcomes:distance", args=[pk]) + (f"#{anchor}" if anchor else "")


@login_required
def distance_travelled(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    user = signed_in_user(request)
    may_change = (
        case.is_open
        and access.check(
            user, Action.CHANGE, case, team_field="team", is_personal=True, worker_field="key_worker"
        ).allowed
    )
    family = selectors.family_distance(for_user=user, case=case, assessor=request.GET.get("assessor", ""))
    assessor_links = [
        (code, family.definition.assessor_label(code), f"{distance_url(case.pk)}?assessor={code}")
        for code in family.assessors_recorded
    ]
    next_label = distance.time_point_label(services.next_time_point(case, family.assessor))
    return render(
        request,
        "outcomes/distance.html",
        {
            "case": case,
            "family": family,
            "may_change": may_change,
            "assessor_links": assessor_links,
            "next_label": next_label,
            "family_url": family_url(case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_distance(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, action=Action.CHANGE)
    user = signed_in_user(request)
    definition = distance_definition()
    today = timezone.localdate()
    form = DistanceForm(
        posted(request),
        definition=definition,
        subjects=services.subjects_of(case),
        members=list(Member.objects.filter(case=case, end_on__isnull=True)),
        initial={"assessed_on": today, "assessor": "key_worker", "recorded": services.recorded_count(case)},
    )
    refusal, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.record_distance_travelled(
                case=case,
                assessed_on=form.cleaned_data["assessed_on"],
                assessor=form.cleaned_data["assessor"],
                family_member=form.family_member(),
                notes=form.cleaned_data["notes"],
                scores=form.scores(),
                expected_recorded=form.cleaned_data["recorded"],
                by=user,
            )
        except services.OutcomesError as error:
            refusal = str(error)
            status = 409 if isinstance(error, services.StaleScoresError) else 200  # 409 Conflict: lost update
        else:
            label = distance.time_point_label(assessment.time_point)
            messages.success(request, f"The {label.lower()} scores have been saved.")
            return HttpResponseRedirect(f"{distance_url(case.pk)}?assessor={assessment.assessor}")
    scale = "; ".join(f"{level.score} {level.level.lower()}: {level.family_wording}" for level in definition.scale)
    return render(
        request,
        "outcomes/distance_form.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "scale": definition.scale,
            "scale_text": scale,
            "back_url": distance_url(case.pk),
            "next_points": [
                (label.lower(), distance.time_point_label(services.next_time_point(case, code)).lower())
                for code, label in DistanceAssessment.Assessor.choices
            ],
        },
        status=status,
    )


@login_required
def family_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    user = signed_in_user(request)
    outcomes = selectors.family_outcomes(for_user=user, case=case)
    return render(
        request,
        "outcomes/family_outcomes.html",
        {"case": case, "outcomes": outcomes, "family_url": family_url(case), "distance_url": distance_url(case.pk)},
    )


@login_required
def report_card(request: HttpRequest) -> HttpResponse:
    card = selectors.report_card(for_user=request.user)
    record(by=request.user, action="view", object_type="outcomes.report_card", object_id="better_off")
    return render(
        request, "outcomes/report_card.html", {"card": card, "may_measure": access.has_role(request.user, *MEASURERS)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_outcomes(request: HttpRequest) -> HttpResponse:
    """Measure a programme's outcomes for its families as of a date, as a background job."""
    user = signed_in_user(request)
    if not access.has_role(user, *MEASURERS):
        raise PermissionDenied
    form = MeasureForm(posted(request), frameworks=selectors.framework_choices())
    if request.method == "POST" and form.is_valid():
        programme, as_of_on = form.cleaned_data["programme"], form.cleaned_data["as_of_on"]
        job = start_job(
            kind=MEASURE_OUTCOMES,
            title=f"Measure the outcomes of {programme} as of {as_of_on:%-d %B %Y}",
            task=measure,
            args={"programme": programme, "as_of": as_of_on.isoformat(), "user_id": user.pk},
            by=user,
        )
        return HttpResponseRedirect(reverse("jobs:job_detail", args=[job.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "outcomes/measure.html", {"form": form}, status=status)
