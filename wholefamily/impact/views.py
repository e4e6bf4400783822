from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from wholefamily.governance.audit import record
from wholefamily.impact import selectors
from wholefamily.impact.benefit import savings_pdf, savings_xlsx, summary_rows
from wholefamily.impact.forms import ImpactRunForm, SavingsRunForm, UnitCostUploadForm
from wholefamily.impact.models import UnitCostSet
from wholefamily.impact.services import unit_costs_path
from wholefamily.impact.tasks import RUN_IMPACT, RUN_SAVINGS, analyse_impact, cost_savings
from wholefamily.impact.unit_costs import UnitCostsRefused, definition_workbook, import_unit_costs
from wholefamily.jobs.services import start_job
from wholefamily.web.http import posted, signed_in_user
from wholefamily.web.pages import page_for


@login_required
@page_for(*selectors.IMPACT_READERS)
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The latest impact analysis: matching, balance, effects with intervals, pre-period trends, assumptions."""
    run = selectors.latest_run()
    record(by=request.user, action="view", object_type="impact.report", object_id=str(run.pk) if run else "none")
    context = {
        "run": run,
        "effects": list(run.effects.all()) if run else [],
        "charts": selectors.trend_charts(run) if run else [],
        "assumptions": selectors.ASSUMPTIONS,
        "width": selectors.WIDTH,
        "height": selectors.HEIGHT,
    }
    return render(request, "impact/report.html", context)


@login_required
@page_for(*selectors.IMPACT_READERS)
@require_GET
def savings(request: HttpRequest) -> HttpResponse:
    """The latest savings run: cost-benefit summary, savings by agency and problem, unit costs and their sources."""
    run = selectors.latest_savings()
    record(by=request.user, action="view", object_type="impact.savings", object_id=str(run.pk) if run else "none")
    context = {
        "run": run,
        "summary": summary_rows(run) if run else [],
        "bars": selectors.agency_bars(run) if run else [],
        "bars_height": selectors.BAR_STEP * len(run.by_agency) + 10 if run else 0,
    }
    return render(request, "impact/savings.html", context)


@login_required
@page_for(*selectors.IMPACT_READERS)
@require_GET
def savings_export(request: HttpRequest, fmt: str) -> HttpResponse:
    run = selectors.latest_savings()
    if run is None:
        raise Http404
    record(by=request.user, action="export", object_type="impact.savings", object_id=str(run.pk), detail={"fmt": fmt})
    if fmt == "xlsx":
        response = HttpResponse(
            savings_xlsx(run), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(savings_pdf(run), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cost-benefit-{run.pk}.{fmt}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _saved(upload: UploadedFile, folder: Path, name: str) -> Path:
    path = folder / name
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


@login_required
@page_for(*selectors.UNIT_COST_KEEPERS)
@require_http_methods(["GET", "POST"])
def unit_costs(request: HttpRequest) -> HttpResponse:
    """A council's own unit costs: the sets kept, and the form to import a workbook or CSV (ADR 0029)."""
    form = UnitCostUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with tempfile.TemporaryDirectory(prefix="unit-costs-") as folder:
            costs = _saved(data["file"], Path(folder), "costs")
            deflator = _saved(data["deflator"], Path(folder), "deflator") if data["deflator"] else None
            try:
                imported = import_unit_costs(
                    costs,
                    deflator_file=deflator,
                    name=data["name"],
                    price_base_year=data["price_base_year"],
                    file_name=data["file"].name or "",
                    by=request.user,
                )
            except UnitCostsRefused as refused:
                problems = refused.problems
                form.add_error(None, f"The unit costs were refused ({len(problems)} problems): nothing was kept")
            else:
                kept = reverse("impact:unit_cost_set", args=[imported.unit_cost_set.pk])
                return redirect(f"{kept}?created={int(imported.created)}")
    record(by=request.user, action="view", object_type="impact.unit_costs", object_id="list")
    context = {"form": form, "sets": UnitCostSet.objects.all()[:200], "problems": problems[:200],
               "more_problems": max(len(problems) - 200, 0)}  # fmt: skip
    return render(request, "impact/unit_costs.html", context, status=400 if request.method == "POST" else 200)


@login_required
@page_for(*selectors.UNIT_COST_KEEPERS)
@require_GET
def unit_cost_set(request: HttpRequest, pk: int) -> HttpResponse:
    kept = get_object_or_404(UnitCostSet, pk=pk)
    record(by=request.user, action="view", obj=kept)
    context = {
        "kept": kept,
        "costs": kept.definition.get("costs", []),
        "deflator": sorted((kept.definition.get("deflator") or {}).get("index", {}).items()),
        "created": request.GET.get("created"),
    }
    return render(request, "impact/unit_cost_set.html", context)


@login_required
@page_for(*selectors.UNIT_COST_KEEPERS)
@require_GET
def unit_cost_template(request: HttpRequest) -> HttpResponse:
    """The shipped starter unit costs as a workbook in the import shape, to fill in with the council's own."""
    definition = yaml.safe_load(unit_costs_path().read_text(encoding="utf-8"))
    response = HttpResponse(definition_workbook(definition), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="unit-costs-template.xlsx"'
    return response


@login_required
@page_for(*selectors.UNIT_COST_KEEPERS)
@require_http_methods(["GET", "POST"])
def run_impact(request: HttpRequest) -> HttpResponse:
    """Analyse the impact against matched comparison families as a background job, with its progress."""
    user = signed_in_user(request)
    form = ImpactRunForm(posted(request), initial={"seed": 0})
    if request.method == "POST" and form.is_valid():
        seed = form.cleaned_data["seed"]
        job = start_job(
            kind=RUN_IMPACT,
            title="Analyse the impact against matched comparison families",
            task=analyse_impact,
            args={"seed": seed, "user_id": user.pk},
            by=user,
        )
        return redirect("jobs:job_detail", job_id=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "impact/run_impact.html", {"form": form}, status=status)


@login_required
@page_for(*selectors.UNIT_COST_KEEPERS)
@require_http_methods(["GET", "POST"])
def run_savings(request: HttpRequest) -> HttpResponse:
    """Cost the savings as a background job, with its progress: the whole cohort or a sample, the unit costs chosen."""
    user = signed_in_user(request)
    sets = [(str(kept.pk), f"{kept.name}, version {kept.version}") for kept in UnitCostSet.objects.all()[:200]]
    form = SavingsRunForm(posted(request), unit_cost_sets=sets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        share = 1.0 if data["scope"] == "whole" else data["sample_percent"] / 100
        cost = None if data["programme_cost"] is None else float(data["programme_cost"])
        chosen = None if data["unit_costs"] == "starter" else int(data["unit_costs"])
        job = start_job(
            kind=RUN_SAVINGS,
            title="Cost the savings" + ("" if share == 1 else f" of a {data['sample_percent']}% sample"),
            task=cost_savings,
            args={"sample_share": share, "seed": data["seed"], "programme_cost": cost,
                  "optimism_bias": data["optimism_bias"] / 100, "unit_cost_set_id": chosen, "user_id": user.pk},
            by=user,
        )  # fmt: skip
        return redirect("jobs:job_detail", job_id=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "impact/run_savings.html", {"form": form}, status=status)
