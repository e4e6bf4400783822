from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wholefamily.governance.audit import record
from wholefamily.impact import selectors
from wholefamily.web.pages import page_for


@login_required
@page_for(*selectors.IMPACT_READERS)
def report(request: HttpRequest) -> HttpResponse:
    """The latest impact analysis: matching, balance, effects with intervals, pre-period trends, assumptions."""
    run = selectors.latest_run()
    record(by=request.user, action="view", object_type="impact.report", object_id=str(run.pk) if run else "none")
    context = {
        "run": run,
        "effects": list(run.effects.all()) if run else [],
        "charts": selectors.trend_charts(run) if run else [],
        "width": selectors.WIDTH,
        "height": selectors.HEIGHT,
    }
    return render(request, "impact/report.html", context)
