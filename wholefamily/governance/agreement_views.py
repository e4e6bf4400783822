"""Data-sharing agreements and retention on the web (ADR 0015, ADR 0020): the agreements with their expiry, one
agreement's terms, and retention's dry run (what would go, with the copies of its records, and what is kept and
why). HTTP concerns only: reads through selectors and the retention service; the dry run is audited there."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wholefamily.governance import retention, selectors
from wholefamily.ingest.models import DatasetVersion
from wholefamily.web.http import signed_in_user
from wholefamily.web.pages import page_for


@login_required
@page_for(*selectors.AGREEMENT_READERS)
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    agreements = []
    for agreement in selectors.agreements_for(for_user=request.user):
        status, colour = selectors.agreement_status(agreement, today=today)
        agreements.append({"agreement": agreement, "status": status, "colour": colour})
    return render(request, "governance/agreement_list.html", {"agreements": agreements, "today": today})


@login_required
@page_for(*selectors.AGREEMENT_READERS)
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(selectors.agreements_for(for_user=request.user), pk=pk)
    status, colour = selectors.agreement_status(agreement, today=timezone.localdate())
    deliveries = DatasetVersion.objects.filter(data_sharing_agreement=agreement).order_by("kind", "-received_on")
    context = {
        "agreement": agreement,
        "status": status,
        "colour": colour,
        "parties": [line.strip() for line in agreement.parties.splitlines() if line.strip()],
        "deliveries": list(deliveries[:200]),
        "retention_months": agreement.retention_months or None,
        "default_months": retention.rules().default_months,
    }
    return render(request, "governance/agreement_detail.html", context)


@login_required
@page_for(*selectors.RETENTION_READERS)
@require_GET
def retention_dry_run(request: HttpRequest) -> HttpResponse:
    """What a purge would remove today, and what stays and why; looking is a dry run, audited. Nothing is removed:
    an administrator purges with `wholefamily retention --purge`."""
    user = signed_in_user(request)
    due = retention.purge(dry_run=True, by=user)
    due_ids = {item.version_id for item in due}
    kept = [verdict for verdict in retention.plan() if verdict.version_id not in due_ids]
    context = {
        "due": due,
        "kept": kept,
        "rules": retention.rules(),
        "held": retention.held_linkage_runs(),
    }
    return render(request, "governance/retention.html", context)
