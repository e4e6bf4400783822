"""The commissioner's pages (ADR 0027): the catalogue of services and interventions, referrals to them from a
family's plan goal, and need against capacity. The catalogue and the figures hold no personal record; a family's
referrals are behind the case door."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from wholefamily.cases.lookups import case_for, family_url
from wholefamily.cases.models import Goal
from wholefamily.commissioning import market, rates, selectors, services
from wholefamily.commissioning.definitions import (
    catalogue_definition,
    monitoring_definition,
    needs_definition,
    problem_choices,
)
from wholefamily.commissioning.forms import (
    ContractForm,
    FilterForm,
    MarketPositionForm,
    ReferForm,
    ReturnForm,
    ServiceForm,
    StepForm,
)
from wholefamily.commissioning.models import MarketPositionStatement, QuarterlyReturn, Service, ServiceReferral
from wholefamily.domain.commissioning import CatalogueError, ReferralState, ReturnStatus, ranked_need
from wholefamily.domain.reporting.quarters import parse_quarter
from wholefamily.domain.roles import Action, Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.reporting.definitions import small_numbers
from wholefamily.web.http import posted, signed_in_user
from wholefamily.web.pages import page_for


def _service(pk: int) -> Service:
    try:
        return Service.objects.get(pk=pk)
    except Service.DoesNotExist:
        raise Http404 from None


@login_required
@page_for(*selectors.CATALOGUE_READERS)
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    """The catalogue, with filters by headline problem, district, delivery, tier and evidence."""
    form = FilterForm(request.GET or None)
    filters = selectors.CatalogueFilters()
    if form.is_bound:
        form.is_valid()
        cleaned = {name: form.cleaned_data.get(name) or "" for name in form.fields if name not in form.errors}
        filters = selectors.CatalogueFilters(**cleaned)
    found = selectors.catalogue(filters)
    record(by=request.user, action="view", object_type="commissioning.catalogue", object_id="list")
    definition = catalogue_definition()
    for service in found:
        service.rating_label = definition.rating_label(service.evidence_rating)  # type: ignore[attr-defined]
    return render(
        request,
        "commissioning/service_list.html",
        {
            "form": form,
            "services": found,
            "definition": definition,
            "problems": dict(problem_choices()),
            "may_edit": access.has_role(request.user, *selectors.CATALOGUE_EDITORS),
            "is_filtered": any(vars(filters).values()),
        },
    )


@login_required
@page_for(*selectors.CATALOGUE_READERS)
@require_GET
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service(pk)
    record(by=request.user, action="view", obj=service)
    rule = small_numbers()
    figures = selectors.service_take_up(service)
    definition = catalogue_definition()
    facts = selectors.service_facts(service)
    return render(
        request,
        "commissioning/service_detail.html",
        {
            "service": service,
            "tier": definition.tier_label(service.tier),
            "rating": definition.rating_label(service.evidence_rating),
            "problems": dict(problem_choices()),
            "places": facts.places,
            "figures": figures,
            "counts": {
                "referred": rule.count_text(figures.referred),
                "declined": rule.count_text(figures.declined),
                "waiting": rule.count_text(figures.waiting),
                "started": rule.count_text(figures.started),
                "ended": rule.count_text(figures.ended),
            },
            "take_up": rule.rate(figures.started, figures.started + figures.declined),
            "median_wait": figures.median_wait(rule.threshold),
            "small": rule,
            "may_edit": access.has_role(request.user, *selectors.CATALOGUE_EDITORS),
        },
    )


def _service_form(request: HttpRequest, service: Service | None) -> HttpResponse:
    user = signed_in_user(request)
    initial: dict[str, Any] = {}
    if service is not None:
        initial = {name: getattr(service, name) for name in services.SERVICE_FIELDS}
        initial["version"] = service.version
    form = ServiceForm(posted(request), initial=initial)
    refusal, status = "", 200
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data.get(name) for name in services.SERVICE_FIELDS}
        try:
            saved = services.save_service(
                service=service, data=data, by=user, expected_version=form.cleaned_data.get("version")
            )
        except CatalogueError as error:
            refusal = str(error)
            status = 409 if isinstance(error, services.StaleServiceError) else 200
        else:
            messages.success(request, f"{saved.name} has been saved to the catalogue.")
            return HttpResponseRedirect(reverse("commissioning:service_detail", args=[saved.pk]))
    back = (
        reverse("commissioning:service_detail", args=[service.pk]) if service else reverse("commissioning:service_list")
    )
    return render(
        request,
        "commissioning/service_form.html",
        {
            "form": form,
            "refusal": refusal,
            "title": f"Change {service.name}" if service else "Add a service to the catalogue",
            "back_url": back,
            "submit_text": "Save the service",
        },
        status=status,
    )


@login_required
@page_for(*selectors.CATALOGUE_EDITORS)
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    return _service_form(request, None)


@login_required
@page_for(*selectors.CATALOGUE_EDITORS)
@require_http_methods(["GET", "POST"])
def service_change(request: HttpRequest, pk: int) -> HttpResponse:
    return _service_form(request, _service(pk))


# --- Referrals from a plan goal ----------------------------------------------------------------------------------


@login_required
@require_GET
def family_referrals(request: HttpRequest, pk: int) -> HttpResponse:
    """A family's referrals to services, goal by goal (behind the case door)."""
    case = case_for(request, pk)
    goals = list(Goal.objects.filter(plan__case=case).order_by("due_on", "pk")) if hasattr(case, "plan") else []
    referrals = list(selectors.referrals_for_case(for_user=request.user, case=case))
    by_goal = {goal.pk: [r for r in referrals if r.goal_id == goal.pk] for goal in goals}
    return render(
        request,
        "commissioning/family_referrals.html",
        {
            "case": case,
            "goals": [(goal, by_goal[goal.pk]) for goal in goals],
            "may_change": access.check(
                request.user, Action.CHANGE, case, team_field="team", is_personal=True, worker_field="key_worker"
            ).allowed,
            "back_url": family_url(case, "plan"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    """Refer the family to a catalogue service from a goal of its plan (the case door, CHANGE)."""
    case = case_for(request, pk, action=Action.CHANGE)
    try:
        goal = Goal.objects.select_related("plan__case").get(pk=goal_pk, plan__case=case)
    except Goal.DoesNotExist:
        raise Http404 from None
    user = signed_in_user(request)
    today = timezone.localdate()
    form = ReferForm(posted(request), services=services.open_services(today), initial={"referred_on": today})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.refer(goal=goal, service=form.chosen(), referred_on=form.cleaned_data["referred_on"], by=user)
        except CatalogueError as error:
            refusal = str(error)
        else:
            messages.success(request, f"The referral to {form.chosen().name} has been recorded.")
            return HttpResponseRedirect(reverse("commissioning:family_referrals", args=[case.pk]))
    return render(
        request,
        "cases/form.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "title": "Refer to a service",
            "intro": f"For the goal: {goal.description}",
            "back_url": reverse("commissioning:family_referrals", args=[case.pk]),
            "submit_text": "Record the referral",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    """One referral to a service; its next step (accepted, declined, started, ended) is recorded here."""
    action = Action.CHANGE if request.method == "POST" else Action.VIEW
    item = access.get_object_for(
        request.user,
        ServiceReferral.objects.select_related("service", "goal", "case", "case__team"),
        action=action,
        team_field="case__team",
        worker_field="case__key_worker",
        is_personal=True,
        pk=pk,
    )
    state = item.state_enum
    may_change = access.check(
        request.user, Action.CHANGE, item, team_field="case__team", is_personal=True, worker_field="case__key_worker"
    ).allowed
    form = StepForm(posted(request), state=state, initial={"version": item.version, "on": timezone.localdate()})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.step_referral(
                referral=item,
                to=ReferralState(form.cleaned_data["to"]),
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                by=signed_in_user(request),
                expected_version=form.cleaned_data["version"],
            )
        except CatalogueError as error:
            refusal = str(error)
        else:
            messages.success(request, "The referral has been updated.")
            return HttpResponseRedirect(reverse("commissioning:family_referrals", args=[item.case_id]))
    return render(
        request,
        "commissioning/referral.html",
        {
            "item": item,
            "case": item.case,
            "form": form,
            "refusal": refusal,
            "may_change": may_change and bool(form.fields["to"].choices),  # type: ignore[attr-defined]
            "back_url": reverse("commissioning:family_referrals", args=[item.case_id]),
        },
    )


# --- Need against capacity ---------------------------------------------------------------------------------------


@login_required
@page_for(*selectors.CAPACITY_READERS)
@require_GET
def capacity(request: HttpRequest) -> HttpResponse:
    """Per service and district: the families whose problems it targets against its places and current use; need no
    service targets; families with overlapping key workers. Counts through the small-numbers rule."""
    run = selectors.latest_run()
    report = selectors.capacity_report(run, on=timezone.localdate())
    record(by=request.user, action="view", object_type="commissioning.capacity", object_id=str(run.pk if run else ""))
    rule = small_numbers()
    bars = selectors.capacity_bars(report)
    rows = [
        {
            "service_id": row.service_id,
            "service": row.service,
            "district": row.district,
            "need": rule.count_text(row.need),
            "with_case": rule.count_text(row.need_with_case),
            "places": round(row.places),
            "in_use": rule.count_text(row.in_use),
            "waiting": rule.count_text(row.waiting),
            "is_gap": row.is_gap,
            # A gap's size with the places would give the need away: shown only when the need is.
            "gap": "" if rule.is_small(row.need) else f"{round(row.gap):,}",
            "is_full": row.is_full,
        }
        for row in report.rows
    ]
    return render(
        request,
        "commissioning/capacity.html",
        {
            "run": run,
            "rows": rows,
            "unserved": [(u.district, u.problem, rule.count_text(u.families)) for u in report.unserved],
            "overlaps": [(o.district, rule.count_text(o.families), o.services) for o in report.overlaps],
            "rule": rule,
            "problems": dict(problem_choices()),
            "bars": bars,
            "bars_height": selectors.BAR_STEP * len(bars) + 10,
            "bar_width": selectors.BAR_WIDTH,
        },
    )


# --- Contracts and quarterly monitoring returns ------------------------------------------------------------------


@login_required
@page_for(*selectors.CONTRACT_READERS)
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    """Contracts with their recent quarters' returns, late and missing ones flagged; a provider sees its own."""
    today = timezone.localdate()
    contracts = list(selectors.contracts_for(for_user=request.user).prefetch_related("returns"))
    record(by=request.user, action="view", object_type="commissioning.contracts", object_id="list")
    rows = [
        (contract, selectors.return_rows(contract, today, limit=selectors.QUARTERS_SHOWN)) for contract in contracts
    ]
    flagged = sum(
        1 for _, returns in rows for row in returns if row.status in (ReturnStatus.LATE, ReturnStatus.MISSING)
    )
    return render(
        request,
        "commissioning/contract_list.html",
        {
            "rows": rows,
            "flagged": flagged,
            "may_edit": access.has_role(request.user, *selectors.CATALOGUE_EDITORS),
            "is_provider": access.user_roles(request.user) == frozenset({Role.PROVIDER}),
        },
    )


@login_required
@page_for(*selectors.CATALOGUE_EDITORS)
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    available = list(
        Service.objects.filter(delivery=Service.Delivery.COMMISSIONED, contract__isnull=True).order_by("name")
    )
    providers = list(
        get_user_model().objects.filter(groups__name=Role.PROVIDER.value, is_active=True).order_by("username")
    )
    indicators = [i.code for i in monitoring_definition().indicators]
    form = ContractForm(posted(request), services=available, providers=providers, initial={"indicators": indicators})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = services.create_contract(
                service=form.services[data["service"]], reference=data["reference"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], value=data["value"], indicators=data["indicators"],
                provider_users=[form.providers[pk] for pk in data["provider_users"]], by=user,
            )  # fmt: skip
        except CatalogueError as error:
            refusal = str(error)
        else:
            messages.success(request, f"The contract {contract.reference} has been recorded.")
            return HttpResponseRedirect(reverse("commissioning:contract_detail", args=[contract.pk]))
    return render(
        request,
        "commissioning/service_form.html",
        {
            "form": form,
            "refusal": refusal,
            "title": "Record a contract",
            "back_url": reverse("commissioning:contract_list"),
            "submit_text": "Save the contract",
        },
    )


@login_required
@page_for(*selectors.CONTRACT_READERS)
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for(for_user=request.user, pk=pk)
    record(by=request.user, action="view", obj=contract)
    definition = monitoring_definition()
    return render(
        request,
        "commissioning/contract_detail.html",
        {
            "contract": contract,
            "indicators": [i for i in definition.indicators if i.code in contract.indicators],
            "sections": {s.code: s.label for s in definition.sections},
            "returns": selectors.return_rows(contract, timezone.localdate()),
            "due_days": definition.due_days,
            "may_enter": contract.provider_users.filter(pk=signed_in_user(request).pk).exists(),
        },
    )


@login_required
@page_for(*selectors.CONTRACT_READERS)
@require_http_methods(["GET", "POST"])
def quarterly_return(request: HttpRequest, pk: int, quarter: str) -> HttpResponse:
    """A quarter's return: the contract's provider enters it (figures the service computes pre-filled); the
    commissioner reads it."""
    contract = selectors.contract_for(for_user=request.user, pk=pk)
    today = timezone.localdate()
    try:
        period = parse_quarter(quarter)
    except ValueError:
        raise Http404 from None
    if period not in selectors.contract_quarters(contract, today):
        raise Http404
    may_enter = contract.provider_users.filter(pk=signed_in_user(request).pk).exists() and period.ends_on < today
    if request.method == "POST" and not may_enter:
        raise PermissionDenied
    definition = monitoring_definition()
    indicators = [i for i in definition.indicators if i.code in contract.indicators]
    existing = QuarterlyReturn.objects.filter(contract=contract, quarter=period.code).first()
    computed = services.prefilled(contract, period)
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {f"figure_{k}": v for k, v in existing.figures.items()}
        initial |= {f"narrative_{k}": v for k, v in existing.narrative.items()}
        initial["version"] = existing.version
    else:
        initial = {f"figure_{k}": v for k, v in computed.items() if v is not None}
    form = ReturnForm(posted(request), indicators=indicators, narrative=list(definition.narrative), initial=initial)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_return(
                contract=contract, quarter=period, figures=form.figures(), narrative=form.narrative(),
                by=signed_in_user(request), expected_version=form.cleaned_data.get("version"),
            )  # fmt: skip
        except CatalogueError as error:
            refusal = str(error)
        else:
            messages.success(request, f"The return for {period.label} has been submitted.")
            return HttpResponseRedirect(reverse("commissioning:contract_detail", args=[contract.pk]))
    record(by=request.user, action="view", object_type="commissioning.quarterlyreturn",
           object_id=f"{contract.pk}:{period.code}")  # fmt: skip
    status = selectors.return_rows(contract, today)
    row = next(r for r in status if r.quarter == period)
    rule = small_numbers()
    return render(
        request,
        "commissioning/return.html",
        {
            "contract": contract,
            "period": period,
            "row": row,
            "form": form,
            "refusal": refusal,
            "may_enter": may_enter,
            "existing": existing,
            # The council's own counts pass the small-numbers rule for readers other than the provider.
            "lines": [
                (
                    i,
                    existing.figures.get(i.code) if existing else None,
                    rule.count_text(int(computed[i.code]))
                    if i.kind == "count" and isinstance(computed.get(i.code), int)
                    else computed.get(i.code),
                )
                for i in indicators
            ],
            "narrative": [(n, existing.narrative.get(n.code, "") if existing else "") for n in definition.narrative],
        },
    )


# --- Needs analysis ----------------------------------------------------------------------------------------------


@login_required
@page_for(*selectors.CAPACITY_READERS)
@require_GET
def needs(request: HttpRequest) -> HttpResponse:
    """Identified families by district or ward, ranked, for a headline problem or an indicator, over the last
    identifications; then the rates per 1,000 residents or children from the area statistics (ADR 0032); each a bar
    chart with its table. Counts, and the rates made from them, through the small-numbers rule."""
    choices = dict(selectors.need_code_choices())
    code = request.GET.get("code", "")
    code = code if code in choices else ""
    by_ward = request.GET.get("area") == "ward"
    runs = selectors.need_runs()
    area_indicator = needs_definition().area_indicator(code)
    is_area_statistic = area_indicator is not None
    family_code = "" if is_area_statistic else code  # the families' own records hold no area statistic
    rows = ranked_need([selectors.area_families(run) for run in runs], by_ward=by_ward, code=family_code)
    # A count made from records (looked-after children) reads personal records for an aggregate: the audit says so.
    counted_from = {"counted_from": area_indicator.records.kind} if area_indicator and area_indicator.records else {}
    record(by=request.user, action="view", object_type="commissioning.needs", object_id=code or "all",
           detail=counted_from)  # fmt: skip
    rule = small_numbers()
    top = max([row.with_code for row in rows[: selectors.NEED_BARS]] + [1])
    bars = [
        {
            "area": row.area,
            "text": rule.count_text(row.with_code),
            # A small count is drawn as nothing: a bar's length would give it away.
            "px": 0 if rule.is_small(row.with_code) else round(selectors.BAR_WIDTH * row.with_code / top),
            "y_label": index * 30 + 14,
            "y_bar": index * 30 + 18,
        }
        for index, row in enumerate(rows[: selectors.NEED_BARS])
    ]
    report = rates.needs_rates(runs[-1], by_ward=by_ward, code=code) if runs else None
    rate_bars = (
        [] if report is None else rates.rate_bars(report, rule, bars=selectors.NEED_BARS, width=selectors.BAR_WIDTH)
    )
    label = choices.get(code, "").split(": ", 1)[-1]
    return render(
        request,
        "commissioning/needs.html",
        {
            "report": report,
            "rates_table": None
            if report is None
            else rates.area_statistic_table(report, rule, label=label)
            if is_area_statistic
            else rates.rates_table(report, rule, code_label=label.lower() if code else ""),
            "rate_bars": rate_bars,
            "is_area_statistic": is_area_statistic,
            "area_indicator": area_indicator,
            "estimate_note": rates.estimate_note(report) if report else "",
            "rate_bars_height": 30 * len(rate_bars) + 10,
            "runs": runs,
            "latest": runs[-1] if runs else None,
            "rows": [
                (
                    row.area,
                    rule.count_text(row.families),
                    rule.count_text(row.with_code),
                    [rule.count_text(n) for n in row.over_time],
                )
                for row in rows
            ],
            "bars": bars,
            "bars_height": 30 * len(bars) + 10,
            "bar_width": selectors.BAR_WIDTH,
            "choices": sorted(choices.items(), key=lambda item: item[1]),
            "code": code,
            "family_code": family_code,
            "code_label": choices.get(code, ""),
            "by_ward": by_ward,
            "rule": rule,
        },
    )


# --- Market position statement -----------------------------------------------------------------------------------


def _statement(version: int | None) -> MarketPositionStatement | None:
    statements = MarketPositionStatement.objects.all()
    if version is None:
        return statements.first()
    try:
        return statements.get(version=version)
    except MarketPositionStatement.DoesNotExist:
        raise Http404 from None


@login_required
@page_for(*selectors.MARKET_READERS)
@require_GET
def market_position(request: HttpRequest) -> HttpResponse:
    """The market position statement (the latest version, or ?version=N): the commissioner's narrative with need,
    provision and gaps as they stood on its date; every version listed."""
    raw = request.GET.get("version", "")
    statement = _statement(int(raw) if raw.isdigit() and len(raw) < 9 else None)
    if raw and statement is not None and str(statement.version) != raw:
        raise Http404
    record(by=request.user, action="view", object_type="commissioning.marketpositionstatement",
           object_id=str(statement.pk) if statement else "none")  # fmt: skip
    return render(
        request,
        "commissioning/market_position.html",
        {
            "statement": statement,
            "tables": [
                (caption, statement.figures.get(key) or {"head": [], "body": []}) for key, caption in market.SECTIONS
            ]
            if statement
            else [],
            "versions": MarketPositionStatement.objects.values("version", "dated_on", "title"),
            "may_edit": access.has_role(request.user, *selectors.CATALOGUE_EDITORS),
        },
    )


@login_required
@page_for(*selectors.CATALOGUE_EDITORS)
@require_http_methods(["GET", "POST"])
def market_position_new(request: HttpRequest) -> HttpResponse:
    """A new version of the statement: the narrative edited here, dated today, with today's figures."""
    latest = _statement(None)
    initial = {"title": "Market position statement: services for families with complex needs"}
    if latest is not None:
        initial = {name: getattr(latest, name) for name in ("title", "summary", "intentions", "to_providers")}
    form = MarketPositionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        statement = market.publish(**form.cleaned_data, by=signed_in_user(request))
        messages.success(request, f"Version {statement.version} of the market position statement has been dated today.")
        return HttpResponseRedirect(reverse("commissioning:market_position"))
    return render(
        request,
        "commissioning/service_form.html",
        {
            "form": form,
            "title": "Write a new version of the market position statement",
            "back_url": reverse("commissioning:market_position"),
            "submit_text": "Date and keep this version",
        },
    )


@login_required
@page_for(*selectors.MARKET_READERS)
@require_GET
def market_position_pdf(request: HttpRequest, version: int) -> HttpResponse:
    statement = _statement(version)
    assert statement is not None
    record(by=request.user, action="export", obj=statement, detail={"fmt": "pdf"})
    response = HttpResponse(
        market.statement_pdf(statement, council=str(settings.WHOLEFAMILY_COUNCIL_NAME)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="market-position-statement-v{statement.version}.pdf"'
    return response
