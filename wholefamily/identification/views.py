"""Identification on the web: runs, a run's cohort (filters, search, XLSX export), one family's evidence, need by
area. HTTP concerns only: reads through selectors (scoped and audited), writes through services."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from wholefamily.governance.audit import record
from wholefamily.identification import selectors
from wholefamily.identification.models import CohortFamily, IdentificationRun
from wholefamily.identification.services import load_programme_definition

FAMILIES_PER_PAGE = 50
FILTERS = ("district", "ward", "problem", "route", "change", "search")
EXPORT_LIMIT = 100_000


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
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    return render(request, "identification/run_list.html", {"page": page, "runs": page.object_list})


@login_required
@require_GET
def cohort(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    filters = _filters(request)
    families = selectors.cohort(for_user=request.user, run=run, **filters)
    page = Paginator(families, FAMILIES_PER_PAGE).get_page(request.GET.get("page"))
    programme = load_programme_definition(run.programme)
    visible = selectors.cohort(for_user=request.user, run=run)
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
        sheet.append([family.family_id, family.household_id, family.district, family.ward, family.problems_met,
                      family.problem_count, family.qualifying_route, family.change,
                      *[1 if code in met else 0 for code in codes]])  # fmt: skip
    about = book.create_sheet("About")
    about.append(["Programme", f"{run.programme} v{run.programme_version}", run.programme_title])
    about.append(["As of", run.as_of_on.isoformat()])
    about.append(["Run", run.pk])
    about.append(["Filters", ", ".join(f"{k}={v}" for k, v in filters.items() if v) or "none"])
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
@require_GET
def family_evidence(request: HttpRequest, run_id: int, family_id: str) -> HttpResponse:
    run = _run(request, run_id)
    # Not inside a transaction: a refused view's audit event must survive the 404 / 403.
    family = selectors.family(for_user=request.user, run=run, family_id=family_id)
    programme = load_programme_definition(run.programme)
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
        },
    )


@login_required
@require_GET
def need_by_area(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    areas = selectors.area_need(for_user=request.user, run=run, by_ward=request.GET.get("by") == "ward")
    if areas is None:
        raise PermissionDenied
    programme = load_programme_definition(run.programme)
    for area in areas:
        area.problem_counts = [area.by_problem.get(p.code, 0) for p in programme.problems]  # type: ignore[attr-defined]
    return render(
        request,
        "identification/need.html",
        {"run": run, "areas": areas, "problems": programme.problems, "indicators": programme.indicators,
         "by_ward": request.GET.get("by") == "ward", "estimate_source": programme.estimate_source},
    )  # fmt: skip
