"""The reporting pages: report cards, service monitoring and the board packs (for programme managers and
commissioners, ADR 0021). Figures only: every count passes the small-numbers rule; no page shows a family."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wholefamily.domain.reporting import card as rba
from wholefamily.domain.reporting.quarters import Quarter, parse_quarter
from wholefamily.domain.roles import Role
from wholefamily.governance.audit import record
from wholefamily.reporting import selectors
from wholefamily.reporting.records import family_records, referral_records
from wholefamily.reporting.tables import table_view
from wholefamily.web.http import signed_in_user
from wholefamily.web.pages import page_for

READERS = (Role.PROGRAMME_MANAGER, Role.COMMISSIONER)


def _quarter(request: HttpRequest, choices: list[Quarter]) -> Quarter:
    try:
        chosen = parse_quarter(request.GET.get("quarter", "")[:20])
    except ValueError:
        return choices[0]
    return chosen if chosen in choices else choices[0]


@login_required
@page_for(*READERS)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/index.html", {"quarter": selectors.default_quarter()})


def _card(request: HttpRequest, element: str) -> HttpResponse:
    user = signed_in_user(request)
    selectors.require_reader(user)
    records = family_records(for_user=user)
    choices = selectors.quarter_choices(records)
    quarter = _quarter(request, choices)
    allowed = rba.choices_for(records)
    chosen = {name: request.GET.get(name, "")[:120] for name, _ in rba.FILTER_FIELDS}
    chosen = {name: value for name, value in chosen.items() if value in allowed[name]}
    card = selectors.build_card(
        records, element=element, quarter=quarter, chosen=chosen, trend=selectors.TREND_QUARTERS
    )
    record(by=user, action="view", object_type="reporting.report_card", object_id=f"{element}/{quarter.code}",
           detail={"filters": card.chosen})  # fmt: skip
    labels = dict(rba.FILTER_FIELDS)
    filters = [
        {"name": name, "label": label, "values": allowed[name], "chosen": chosen.get(name, "")}
        for name, label in rba.FILTER_FIELDS
    ]
    return render(
        request,
        "reporting/card.html",
        {
            "card": card,
            "quarter_choices": choices,
            "filters": filters,
            "chosen_labels": [(labels[name], value) for name, value in card.chosen.items()],
            "plan_results": table_view(card.plan_results, card.rule),
            "time_with_families": table_view(card.time_with_families, card.rule) if card.time_with_families else None,
        },
    )


@login_required
@page_for(*READERS)
@require_GET
def pathway_card(request: HttpRequest) -> HttpResponse:
    return _card(request, "pathway")


@login_required
@page_for(*READERS)
@require_GET
def key_worker_card(request: HttpRequest) -> HttpResponse:
    return _card(request, "key_worker")


@login_required
@page_for(*READERS)
@require_GET
def monitoring(request: HttpRequest) -> HttpResponse:
    """Appendix C section 13.1's indicators for a quarter and the three before it, with the breakdowns."""
    user = signed_in_user(request)
    selectors.require_reader(user)
    families = family_records(for_user=user)
    choices = selectors.quarter_choices(families)
    quarter = _quarter(request, choices)
    report = selectors.build_monitoring(families, referral_records(for_user=user), quarter=quarter)
    record(by=user, action="view", object_type="reporting.monitoring", object_id=quarter.code)
    questions: dict[str, list[selectors.IndicatorRow]] = {}
    for row in report.rows:
        questions.setdefault(row.question, []).append(row)
    return render(
        request,
        "reporting/monitoring.html",
        {
            "report": report,
            "quarter_choices": choices,
            "questions": list(questions.items()),
            "tables": [table_view(t, report.rule) for t in report.breakdowns],
        },
    )
