"""Linkage web pages: the runs with their figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wholefamily.linkage.selectors import linkage_runs

FIGURES = (
    ("records", "Records"), ("profiles", "Profiles"), ("persons", "Persons"), ("households", "Households"),
    ("review_pairs", "Pairs for review"), ("person_ids_kept_share", "Person ids kept"), ("wall_s", "Seconds"),
)  # fmt: skip


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    runs = list(linkage_runs(for_user=request.user)[:50])
    rows = [(run, [run.figures.get(key, "") for key, _ in FIGURES]) for run in runs]
    return render(request, "linkage/run_list.html", {"rows": rows, "headings": [label for _, label in FIGURES]})
