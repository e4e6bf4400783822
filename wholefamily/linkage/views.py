"""Linkage web pages: runs with their figures (and a run started as a background job), the clerical review queue
(filtered and paged), a person's linked records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.jobs.models import Job
from wholefamily.jobs.services import start_job
from wholefamily.linkage.models import Household
from wholefamily.linkage.selectors import (
    LINKAGE_ROLES,
    PROBABILITY_BANDS,
    filter_pairs,
    linkage_run,
    linkage_runs,
    pair_kinds,
    person_detail,
    review_pair,
    review_queue,
)
from wholefamily.linkage.services import correct_household, decide_pair
from wholefamily.linkage.tasks import RUN_LINKAGE, link_records
from wholefamily.web.forms import GovukForm
from wholefamily.web.http import signed_in_user
from wholefamily.web.pages import page_for

PAIRS_PER_PAGE = 25

FIGURES = (
    ("records", "Records"), ("profiles", "Profiles"), ("persons", "Persons"), ("households", "Households"),
    ("review_pairs", "Pairs for review"), ("person_ids_kept_share", "Person ids kept"), ("wall_s", "Seconds"),
)  # fmt: skip


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    runs = list(linkage_runs(for_user=request.user)[:50])
    rows = [(run, [run.figures.get(key, "") for key, _ in FIGURES]) for run in runs]
    return render(
        request,
        "linkage/run_list.html",
        {
            "rows": rows,
            "headings": [label for _, label in FIGURES],
            "may_start": access.has_role(request.user, *LINKAGE_ROLES),
            "running": _running_linkage_job(),
        },
    )


def _running_linkage_job() -> Job | None:
    """A linkage job queued or running: one at a time, since each run makes itself the current one."""
    return Job.objects.filter(kind=RUN_LINKAGE, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()


@login_required
@require_POST
def start_run(request: HttpRequest) -> HttpResponse:
    """Start a linkage run over the current dataset versions as a background job, and show its progress."""
    user = signed_in_user(request)
    if not access.has_role(user, Role.DATA_ANALYST, Role.ADMINISTRATOR):
        raise PermissionDenied
    running = _running_linkage_job()
    if running is not None:
        messages.info(request, "A linkage run is already under way: this is its progress.")
        return redirect("jobs:job_detail", job_id=running.pk)
    job = start_job(
        kind=RUN_LINKAGE,
        title="Link the current data sets",
        task=link_records,
        args={"engine": "duckdb", "user_id": user.pk},
        by=user,
    )
    return redirect("jobs:job_detail", job_id=job.pk)


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("same", "Same person"), ("different", "Different people")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the records are the same person",
            "invalid_choice": "Select whether the records are the same person",
        },
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter the reason for your decision",
            "max_length": "The reason must be 2000 characters or fewer",
        },
    )


def _queue_filters(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip()[:60] for name in ("kind", "band")}


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    filters = _queue_filters(request)
    run, every_pair = review_queue(for_user=request.user, limit=None)
    pairs = filter_pairs(every_pair, **filters)
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page", "1")[:10])
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "run": run,
        "page": page,
        "pairs": page.object_list,
        "filters": filters,
        "query": query.urlencode(),
        "kinds": pair_kinds(every_pair),
        "bands": [(code, label) for code, label, _, _ in PROBABILITY_BANDS],
        "matching": len(pairs),
        "waiting": len(every_pair),
    }
    return render(request, "linkage/review_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, profile_id_l: str, profile_id_r: str) -> HttpResponse:
    context = review_pair(for_user=request.user, profile_id_l=profile_id_l, profile_id_r=profile_id_r)
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    if request.method == "POST" and form.is_valid():
        decide_pair(
            run=context["run"],
            profile_id_l=profile_id_l,
            profile_id_r=profile_id_r,
            is_same_person=form.cleaned_data["decision"] == "same",
            reason=form.cleaned_data["reason"],
            by=request.user,  # type: ignore[arg-type]
            match_probability=context["pair"]["match_probability"],
        )
        messages.success(request, "Decision recorded. It applies from the next linkage run.")
        return redirect("linkage:review_list")
    return render(request, "linkage/review_detail.html", {**context, "form": form}, status=status)


class HouseholdCorrectionForm(forms.Form):
    household_id = forms.CharField(max_length=16, label="Household id the person lives in now")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean_household_id(self) -> Household:
        household = Household.objects.filter(household_id=self.cleaned_data["household_id"].strip()).first()
        if household is None:
            raise forms.ValidationError("There is no household with that id.")
        return household


@login_required
@require_http_methods(["GET", "POST"])
def person_view(request: HttpRequest, person_id: str) -> HttpResponse:
    context = person_detail(for_user=request.user, person_id=person_id)
    form = HouseholdCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        correct_household(
            person=context["person"],
            household=form.cleaned_data["household_id"],
            reason=form.cleaned_data["reason"],
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Household corrected. The correction holds on later linkage runs.")
        return redirect("linkage:person_detail", person_id=person_id)
    return render(request, "linkage/person_detail.html", {**context, "form": form})


@login_required
@page_for(*LINKAGE_ROLES)
@require_GET
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    """A linkage run's page: its figures and its quality report (ADR 0016)."""
    run = linkage_run(for_user=request.user, run_id=run_id)
    figures = [(label, run.figures.get(key, "")) for key, label in FIGURES]
    return render(
        request,
        "linkage/run_detail.html",
        {"run": run, "figures": figures, "quality": _quality_for_page(run.figures.get("quality"))},
    )


MODEL_LABELS = {"county": "County model (households)", "person": "General person model"}


def _quality_for_page(quality: Any) -> dict[str, Any] | None:
    """The run's quality report with labels for the page and bar lengths for the match-weight chart."""
    if not isinstance(quality, dict):
        return None  # a run from before quality reports
    weights = list(quality.get("match_weights", []))
    widest = max((int(row["pairs"]) for row in weights), default=0) or 1
    total = sum(int(row["pairs"]) for row in weights) or 1
    return {
        **quality,
        "model_label": MODEL_LABELS.get(str(quality.get("model")), str(quality.get("model"))),
        "match_weights": [
            {**row, "bar": round(100 * int(row["pairs"]) / widest), "share": int(row["pairs"]) / total}
            for row in weights
        ],
        "sources": [
            {**source, "kind_label": str(source.get("kind", "")).replace("_", " ").capitalize()}
            for source in quality.get("sources", [])
        ],
    }
