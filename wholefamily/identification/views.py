"""Identification on the web: runs, a run's cohort (filters, search, XLSX export), one family's evidence, need by
area. HTTP concerns only: reads through selectors (scoped and audited), writes through services."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from wholefamily.domain.criteria.need import COUNTY
from wholefamily.domain.outcomes.bars import bar_chart
from wholefamily.domain.roles import Action, Role
from wholefamily.domain.validation import safe_row
from wholefamily.governance import access, pseudonyms
from wholefamily.governance.audit import record
from wholefamily.identification import selectors
from wholefamily.identification.forms import JudgementForm, StartRunForm
from wholefamily.identification.models import CohortFamily, IdentificationRun
from wholefamily.identification.services import IdentificationError, enter_judgement, load_programme_definition
from wholefamily.identification.tasks import start_identification
from wholefamily.linkage.selectors import household_labels
from wholefamily.web.pages import page_for

FAMILIES_PER_PAGE = 50
FILTERS = ("district", "ward", "problem", "route", "change", "search")
EXPORT_LIMIT = 100_000
STARTERS = (Role.PROGRAMME_MANAGER, Role.DATA_ANALYST, Role.ADMINISTRATOR)


def _run(request: HttpRequest, run_id: int) -> IdentificationRun:
    run = get_object_or_404(selectors.runs(for_user=request.user), pk=run_id)
    if run.status != IdentificationRun.Status.SUCCEEDED:
        raise Http404
    return run


def _filters(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip()[:100] for name in FILTERS}


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    runs = selectors.runs(for_user=request.user)
    page = Paginator(runs, 25).get_page(request.GET.get("page", "1")[:10])
    return render(
        request,
        "identification/run_list.html",
        {"page": page, "runs": page.object_list, "may_start": access.has_role(request.user, *STARTERS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def start_run(request: HttpRequest) -> HttpResponse:
    """Start an identification run (a background job) from its own form, then show the job's progress."""
    if not access.has_role(request.user, *STARTERS):
        raise PermissionDenied
    form = StartRunForm(request.POST or None, programmes=selectors.programme_choices())
    if request.method == "POST" and form.is_valid():
        try:
            job = start_identification(
                programme=form.cleaned_data["programme"],
                as_of_on=form.cleaned_data["as_of_on"],
                engine=form.cleaned_data["engine"],
                by=request.user,
            )
        except IdentificationError as error:
            form.add_error(None, f"The run could not start: {error}.")
        else:
            return redirect("jobs:job_detail", job_id=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "identification/start.html", {"form": form}, status=status)


@login_required
@require_GET
def cohort(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    filters = _filters(request)
    families = selectors.cohort(for_user=request.user, run=run, **filters)
    page = Paginator(families, FAMILIES_PER_PAGE).get_page(request.GET.get("page", "1")[:10])
    labels = household_labels(for_user=request.user, household_ids=[f.household_id for f in page.object_list])
    for family in page.object_list:
        family.label = labels.get(family.household_id)
    if page.object_list:
        # Names and addresses of the families on the page: a read of personal data.
        record(by=request.user, action="identification.cohort.view", obj=run,
               detail={"families": len(page.object_list), "page": page.number})  # fmt: skip
    programme = load_programme_definition(run.programme)
    visible = selectors.cohort(for_user=request.user, run=run)
    # A page of the cohort lists families and their households: a read of personal records (ADR 0014).
    record(by=request.user, action="view", object_type="identification.cohort", object_id=str(run.pk),
           detail={"families": len(page.object_list), "filters": {k: v for k, v in filters.items() if v}})  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "identification/cohort.html",
        {
            "run": run,
            "page": page,
            "families": page.object_list,
            "filters": filters,
            "query": query.urlencode(),
            "problems": programme.problems,
            "routes": programme.routes,
            "changes": CohortFamily.Change.choices,
            "districts": sorted(set(visible.values_list("district", flat=True))),
            "total": families.count(),
        },
    )


@login_required
@require_GET
def cohort_export(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    filters = _filters(request)
    families = list(selectors.cohort(for_user=request.user, run=run, **filters)[:EXPORT_LIMIT])
    programme = load_programme_definition(run.programme)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Cohort")
    codes = [indicator.code for indicator in programme.indicators]
    sheet.append(["family_id", "household_id", "district", "ward", "problems_met", "problem_count",
                  "qualifying_route", "change", *codes])  # fmt: skip
    for family in families:
        met = set(family.indicators_met)
        sheet.append(safe_row([family.family_id, family.household_id, family.district, family.ward,
                               family.problems_met, family.problem_count, family.qualifying_route, family.change,
                               *[1 if code in met else 0 for code in codes]]))  # fmt: skip
    about = book.create_sheet("About")
    about.append(safe_row(["Programme", f"{run.programme} v{run.programme_version}", run.programme_title]))
    about.append(["As of", run.as_of_on.isoformat()])
    about.append(["Run", run.pk])
    about.append(safe_row(["Filters", ", ".join(f"{k}={v}" for k, v in filters.items() if v) or "none"]))
    buffer = io.BytesIO()
    book.save(buffer)
    with transaction.atomic():
        record(by=request.user, action="identification.cohort.export", obj=run,
               detail={"families": len(families), "filters": {k: v for k, v in filters.items() if v}})  # fmt: skip
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="cohort-{run.programme}-{run.as_of_on}-run{run.pk}.xlsx"'
    return response


@login_required
@page_for(*pseudonyms.EXPORTERS)
@require_GET
def cohort_pseudonymised(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's qualifying families one row a member, under pseudonyms (ADR 0020): for analysis, naming nobody."""
    run = _run(request, run_id)
    rows = pseudonyms.pseudonymised_cohort(run=run, for_user=request.user)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(pseudonyms.COLUMNS)
    writer.writerows(safe_row(row) for row in rows)  # formula-safe (ADR 0014)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"cohort-{run.programme}-{run.as_of_on}-run{run.pk}-pseudonymised.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def family_evidence(request: HttpRequest, run_id: int, family_id: str) -> HttpResponse:
    run = _run(request, run_id)
    # Not inside a transaction: a refused view's audit event must survive the 404 / 403.
    family = selectors.family(for_user=request.user, run=run, family_id=family_id)
    programme = load_programme_definition(run.programme)
    members = sorted({item.person_id for item in family.evidence.all() if item.person_id})
    form = JudgementForm(request.POST or None, programme=programme, members=members)
    if request.method == "POST":
        family = access.get_object_for(
            request.user, run.families.all(), action=Action.CHANGE, team_field="team", family_id=family_id
        )
        if form.is_valid():
            person_id = form.cleaned_data["person_id"]
            try:
                enter_judgement(
                    programme=run.programme,
                    indicator=form.cleaned_data["indicator"],
                    person_id=person_id,
                    household_id="" if person_id else family.household_id,
                    reason=form.cleaned_data["reason"],
                    effective_on=form.cleaned_data["effective_on"],
                    by=request.user,
                )
            except IdentificationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The judgement is recorded. The next identification run counts it.")
                return redirect("identification:family", run_id=run.pk, family_id=family.family_id)
    labels = {indicator.code: indicator for indicator in programme.indicators}
    problem_labels = {problem.code: problem.label for problem in programme.problems}
    rows: list[dict[str, Any]] = []
    for item in family.evidence.all():
        indicator = labels.get(item.indicator)
        rows.append({
            "problem": problem_labels.get(item.problem, item.problem),
            "indicator": indicator.label if indicator else item.indicator,
            "source": indicator.source if indicator else "",
            "person_id": item.person_id or "The whole family",
            "dataset_version_id": item.dataset_version_id,
            "source_record_id": item.source_record_id,
            "line_number": item.line_number,
        })  # fmt: skip
    return render(
        request,
        "identification/family.html",
        {
            "run": run,
            "family": family,
            "rows": rows,
            "problems": [problem_labels.get(code, code) for code in family.problems],
            "form": form,
            "judgements": selectors.judgements(
                for_user=request.user, programme=run.programme, household_id=family.household_id, person_ids=members
            ),
            "can_enter_judgement": access.check(
                request.user, Action.CHANGE, family, team_field="team", is_personal=True
            ).allowed,
            "judgement_labels": {item.code: item.label for item in programme.indicators},
        },
    )


@login_required
@require_GET
@page_for(*selectors.NEED_READERS)
def need_by_area(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    areas = selectors.area_need(for_user=request.user, run=run, by_ward=request.GET.get("by") == "ward")
    if areas is None:
        raise PermissionDenied
    programme = load_programme_definition(run.programme)
    for area in areas:
        area.problem_counts = [area.by_problem.get(p.code, 0) for p in programme.problems]  # type: ignore[attr-defined]
    districts = [area for area in areas if not area.ward and area.district != COUNTY]
    chart = bar_chart([(area.district, float(area.qualifying)) for area in districts], label_width=170)
    chart_bars = [(bar, f"{int(bar.value):,}") for bar in chart.bars]
    return render(
        request,
        "identification/need.html",
        {"run": run, "areas": areas, "problems": programme.problems, "indicators": programme.indicators,
         "by_ward": request.GET.get("by") == "ward", "estimate_source": programme.estimate_source,
         "chart": chart, "chart_bars": chart_bars},
    )  # fmt: skip
