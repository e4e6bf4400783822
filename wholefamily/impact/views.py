from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wholefamily.governance.audit import record
from wholefamily.impact import selectors
from wholefamily.impact.benefit import savings_pdf, savings_xlsx, summary_rows
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
