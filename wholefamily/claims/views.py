"""Claims pages: the list, one claim's evidence pack (page and PDF), the validation step (state changes), the
submission file, and the funding table with actuals against forecast."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from wholefamily.cases.models import DistrictEstimate
from wholefamily.claims import selectors, services
from wholefamily.claims.definitions import available_funding, results_rules
from wholefamily.claims.forms import ComputeWindowForm, EstimateForm, StateChangeForm
from wholefamily.claims.pdf import evaluated_family_pdf, evidence_pack_pdf
from wholefamily.claims.tasks import COMPUTE_CLAIMS, compute_window
from wholefamily.domain.claims.funding import forecast_table, format_pounds
from wholefamily.domain.claims.states import ClaimState, MoveError
from wholefamily.domain.criteria.schema import DefinitionError
from wholefamily.domain.outcomes.bars import bar_chart
from wholefamily.domain.roles import Role
from wholefamily.domain.validation import safe_row
from wholefamily.governance import access, approvals
from wholefamily.governance.approval_views import gate
from wholefamily.governance.audit import record
from wholefamily.identification.services import IdentificationError, load_programme_definition
from wholefamily.jobs.services import start_job
from wholefamily.web.components import TableCell
from wholefamily.web.http import posted, signed_in_user
from wholefamily.web.labels import label_for

CLAIM_COMPUTERS = (Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
SPOT_CHECK_SEED = 1  # the sample is reproducible: the same window and percent draw the same claims


@login_required
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    programme, _, window = request.GET.get("scope", "").partition("/")
    state = request.GET.get("state", "")
    claims = list(selectors.claims_for(for_user=user, programme=programme, window=window, state=state)[:500])
    rows = [
        [
            TableCell(text=claim.reference, href=reverse("claims:detail", args=[claim.pk])),
            claim.case.reference if claim.case else claim.family_id,
            ", ".join(label_for(result) for result in claim.results),
            TableCell(text=format_pounds(claim.amount_pence), is_numeric=True),
            ClaimState(claim.state).label,
            "Yes" if claim.is_sampled else "",
        ]
        for claim in claims
    ]
    # The list names families (their references and ids): a read of personal records (ADR 0014).
    record(by=user, action="view", object_type="claims.claim_list", object_id=f"{programme}/{window}"[:64],
           detail={"claims": len(claims), "state": state[:20]})  # fmt: skip
    return render(
        request,
        "claims/claim_list.html",
        {
            "rows": rows,
            "head_row": ["Claim", "Family", "Results", "Amount", "State", "Spot check"],
            "numeric": [3],
            "total": format_pounds(sum(claim.amount_pence for claim in claims)),
            "windows": selectors.windows(for_user=user),
            "states": list(ClaimState),
            "selected": {"programme": programme, "window": window, "scope": f"{programme}/{window}", "state": state},
            "may_compute": access.has_role(user, *CLAIM_COMPUTERS),
            "may_download": access.has_role(user, *SUBMISSION_READERS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def compute(request: HttpRequest) -> HttpResponse:
    """Compute a claim window's claims from the current linkage run, as a background job."""
    user = signed_in_user(request)
    if not access.has_role(user, *CLAIM_COMPUTERS):
        raise PermissionDenied
    form = ComputeWindowForm(posted(request), windows=selectors.claim_windows(for_user=user))
    if request.method == "POST" and form.is_valid():
        programme, _, window = form.cleaned_data["window"].partition("/")
        percent = form.cleaned_data["sample_percent"]
        job = start_job(
            kind=COMPUTE_CLAIMS,
            title=f"Compute the claims of {programme} window {window}",
            task=compute_window,
            args={"programme": programme, "window": window, "sample_percent": str(percent or ""),
                  "seed": SPOT_CHECK_SEED, "user_id": user.pk},
            by=user,
        )  # fmt: skip
        return HttpResponseRedirect(reverse("jobs:job_detail", args=[job.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "claims/compute.html", {"form": form}, status=status)


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.claim_for(for_user=user, pk=pk)
    state = ClaimState(claim.state)
    return render(
        request,
        "claims/claim_detail.html",
        {
            "claim": claim,
            "pack": claim.evidence,
            "amount": format_pounds(claim.amount_pence),
            "state": state,
            "changes": list(claim.changes.select_related("changed_by")),
            "form": StateChangeForm(state=state, roles=access.user_roles(user)) if not state.is_final else None,
        },
    )


@login_required
@require_GET
def claim_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.claim_for(for_user=user, pk=pk)
    response = HttpResponse(evidence_pack_pdf(claim), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="claim-{claim.pk}-evidence.pdf"'
    return response


@login_required
@require_http_methods(["POST"])
def change_state(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.claim_for(for_user=user, pk=pk)
    state = ClaimState(claim.state)
    form = StateChangeForm(posted(request), state=state, roles=access.user_roles(user))
    if form.is_valid():
        try:
            services.change_claim_state(
                claim=claim, to=ClaimState(form.cleaned_data["to"]), reason=form.cleaned_data["reason"], by=user
            )
        except MoveError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Claim {claim.reference} is now {ClaimState(form.cleaned_data['to']).label.lower()}."
            )
            return HttpResponseRedirect(reverse("claims:detail", args=[claim.pk]))
    return render(
        request,
        "claims/claim_detail.html",
        {
            "claim": claim,
            "pack": claim.evidence,
            "amount": format_pounds(claim.amount_pence),
            "state": state,
            "changes": list(claim.changes.select_related("changed_by")),
            "form": form,
        },
        status=400,
    )


# Internal audit downloads what it validated; a second approval before release can be added here (the governance
# work on the submission file), which is why the download is one view with one permission check.
SUBMISSION_READERS = (Role.PROGRAMME_MANAGER, Role.AUDITOR, Role.ADMINISTRATOR)


def _labels(programme: str) -> tuple[dict[str, str], dict[str, str]]:
    """Problem and result labels of a programme (pages show labels, never codes); empty when not defined."""
    try:
        problems = {p.code: p.label for p in load_programme_definition(programme).problems}
    except (DefinitionError, FileNotFoundError, IdentificationError):
        problems = {}
    try:
        results = {r.code: r.label for r in results_rules(programme).results}
    except DefinitionError:
        results = {}
    return problems, results


@login_required
@require_GET
def family_list(request: HttpRequest) -> HttpResponse:
    """Every family of a window, payable or not, with why not."""
    user = signed_in_user(request)
    scope = request.GET.get("scope", "")
    programme, _, window = scope.partition("/")
    families = list(selectors.evaluated_in(for_user=user, programme=programme, window=window)[:2000])
    _, result_labels = _labels(programme)
    rows = [
        [
            TableCell(text=family.family_id, href=reverse("claims:family", args=[family.pk])),
            family.case.reference if family.case else "",
            ", ".join(result_labels.get(code, code) for code in family.results) or "Not payable",
            family.why_not_payable,
        ]
        for family in families
    ]
    return render(
        request,
        "claims/family_list.html",
        {
            "rows": rows,
            "head_row": ["Family", "Case", "Payable", "Why not payable"],
            "windows": selectors.evaluated_windows(for_user=user),
            "selected": scope if window else "",
            "total": len(families),
            "payable": sum(1 for family in families if family.is_payable),
        },
    )


@login_required
@require_GET
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    family = selectors.evaluated_family_for(for_user=user, pk=pk)
    problem_labels, result_labels = _labels(family.programme)
    pack = family.evidence
    return render(
        request,
        "claims/family_detail.html",
        {
            "family": family,
            "pack": pack,
            "results": [result_labels.get(code, code) for code in family.results],
            "problems": [problem_labels.get(code, code) for code in pack.get("problems_at_identification", [])],
        },
    )


@login_required
@require_GET
def family_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    family = selectors.evaluated_family_for(for_user=user, pk=pk)
    response = HttpResponse(evaluated_family_pdf(family), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="family-{family.pk}-evidence.pdf"'
    return response


SUBMISSION_COLUMNS = ("reference", "family_id", "case", "results", "amount", "rules", "start_on", "as_of")


@login_required
@require_GET
def submission_file(request: HttpRequest) -> HttpResponse:
    """The window's validated claims as the CSV submitted to the department (the export is audited)."""
    user = signed_in_user(request)
    if not access.has_role(user, *SUBMISSION_READERS):
        raise PermissionDenied
    programme, window = request.GET.get("programme", "")[:60], request.GET.get("window", "")[:60]
    claims = list(selectors.claims_for(for_user=user, programme=programme, window=window, state=ClaimState.VALIDATED))
    rows = [
        [claim.reference, claim.family_id, claim.case.reference if claim.case else "", ";".join(claim.results),
         f"{claim.amount_pence / 100:.2f}", claim.evidence.get("rules", ""), claim.evidence.get("start_on", ""),
         claim.evidence.get("as_of", "")]
        for claim in claims
    ]  # fmt: skip
    count = len(rows)
    # The two-person rule (ADR 0015): a second person approves exactly these rows before the file is made.
    subject = f"{programme or 'all'}/{window or 'all'}"
    total = sum(claim.amount_pence for claim in claims)
    summary = {"Validated claims": f"{count:,}", "Total": f"£{total / 100:,.2f}"}
    fingerprint = approvals.fingerprint_of(rows)
    refusal = gate(request, kind=approvals.CLAIM_SUBMISSION, subject=subject, fingerprint=fingerprint, summary=summary)
    if refusal is not None:
        return refusal
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SUBMISSION_COLUMNS)
    writer.writerows(safe_row(row) for row in rows)  # formula-safe (ADR 0014)
    record(by=user, action="claims.export", object_type="claims.window", object_id=f"{programme}/{window}",
           detail={"claims": count})  # fmt: skip
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"claims-{programme or 'all'}-{window or 'all'}.csv".replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def funding(request: HttpRequest) -> HttpResponse:
    """The funding forecast for an estimate of families, with the results paid so far against the forecast."""
    user = signed_in_user(request)
    programmes = available_funding()
    programme = request.GET.get("programme", "tf-2012")
    if programme not in programmes:
        programme = programmes[0]
    default = DistrictEstimate.objects.aggregate(total=Sum("families_estimated"))["total"] or 0
    form = EstimateForm(request.GET if "estimated_families" in request.GET else None,
                        initial={"estimated_families": default})  # fmt: skip
    estimate = form.cleaned_data["estimated_families"] if form.is_bound and form.is_valid() else default
    forecast, rows = selectors.funding_for(for_user=user, programme=programme, estimated_families=estimate)
    table = forecast_table(forecast)
    bars = []
    for row in rows:
        bars += [
            (f"{row.year} forecast", row.forecast_results_pence / 100),
            (f"{row.year} paid", row.paid_results_pence / 100),
        ]
    chart = bar_chart(bars, label_width=150)
    chart_bars = [(bar, format_pounds(round(bar.value * 100))) for bar in chart.bars]
    actuals = [
        [row.year, format_pounds(row.forecast_results_pence), format_pounds(row.paid_results_pence),
         format_pounds(row.forecast_results_pence - row.paid_results_pence)]
        for row in rows
    ]  # fmt: skip
    return render(
        request,
        "claims/funding.html",
        {
            "programme": programme,
            "programmes": programmes,
            "form": form,
            "forecast": forecast,
            "estimated_text": f"{forecast.estimated_families:,}",
            "funded_text": f"{forecast.funded_families:,}",
            "head": table[0],
            "body": table[1:],
            "chart": chart,
            "chart_bars": chart_bars,
            "actuals": actuals,
            "actuals_head": ["Year", "Forecast", "Paid", "Still to claim"],
            "numeric_forecast": [1, 2, 3, 4, 5, 6],
            "numeric_actuals": [1, 2, 3],
        },
    )
