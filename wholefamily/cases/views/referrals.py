"""Referrals: record one, and the gatekeeping decision (accept, signpost, refer to social care)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wholefamily.cases import selectors, services
from wholefamily.cases.forms import GatekeepingForm, ReferralForm
from wholefamily.cases.models import Referral
from wholefamily.cases.search import find_people
from wholefamily.cases.views.common import audit_list, family_url, form_page, posted, signed_in_user
from wholefamily.domain import pathway
from wholefamily.domain.pathway import GatekeepingDecision, ReferralSource
from wholefamily.domain.roles import Action
from wholefamily.governance import access


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    undecided = selectors.referrals_for(for_user=request.user, is_decided=False).order_by("priority", "received_on")
    decided = selectors.referrals_for(for_user=request.user, is_decided=True)
    page = Paginator(decided, 50).get_page(request.GET.get("page", "1")[:10])
    audit_list(request.user, "referrals", undecided.count() + len(page.object_list))
    may_record = selectors.teams_for_new_families(for_user=request.user).exists()
    return render(
        request, "cases/referrals.html", {"undecided": undecided[:200], "page": page, "may_record": may_record}
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_referral(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    teams = selectors.teams_for_new_families(for_user=user)
    if not teams.exists():
        raise PermissionDenied
    find_name = (request.POST if request.method == "POST" else request.GET).get("find_name", "").strip()[:100]
    find_postcode = (request.POST if request.method == "POST" else request.GET).get("find_postcode", "").strip()[:10]
    households = _households_found(request, name=find_name, postcode=find_postcode)
    form = ReferralForm(
        posted(request),
        teams=teams,
        households=households,
        initial={"received_on": timezone.localdate(), "priority": "2", "find_name": find_name,
                 "find_postcode": find_postcode},
    )  # fmt: skip

    def save() -> str:
        data = form.cleaned_data
        referral = services.record_referral(
            team=data["team"],
            source=ReferralSource(data["source"]),
            referrer=data["referrer"],
            received_on=data["received_on"],
            family_name=data["family_name"],
            reason=data["reason"],
            priority=int(data["priority"]),
            household_id=data["household_id"],
            by=user,
        )
        return reverse("cases:referral", args=[referral.pk])

    return form_page(
        request,
        form=form,
        title="Record a referral",
        submit_text="Save the referral",
        back_url=reverse("cases:referrals"),
        save=save,
        success="The referral has been recorded. It now waits for a gatekeeping decision.",
        extra={"find_name": find_name, "find_postcode": find_postcode, "households_found": households},
        template="cases/new_referral.html",
    )


def _households_found(request: HttpRequest, *, name: str, postcode: str) -> list[tuple[str, str]] | None:
    """The households of the people the search finds (scoped and audited by the search), as radio choices; None
    when nothing was searched for."""
    if not (name or postcode):
        return None
    choices: dict[str, str] = {}
    for person in find_people(for_user=request.user, name=name, postcode=postcode):
        if person.household is not None:
            home = person.household
            choices.setdefault(home.household_id, f"{home.family_name}, {home.address}")
    return list(choices.items())


@login_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    item = access.get_object_for(
        user, Referral.objects.select_related("team", "case", "recorded_by", "decided_by"), team_field="team", pk=pk
    )
    may_decide = not item.is_decided and bool(services.pathway_roles(user) & pathway.MANAGERS)
    if request.method == "POST":
        access.get_object_for(user, Referral.objects.all(), action=Action.CHANGE, team_field="team", pk=pk)
        if not may_decide:
            raise PermissionDenied
    form = GatekeepingForm(posted(request)) if may_decide else None
    if form is None:
        return render(request, "cases/referral.html", {"referral": item, "form": None})

    def save() -> str:
        decided = services.decide_referral(
            referral=item,
            decision=GatekeepingDecision(form.cleaned_data["decision"]),
            reason=form.cleaned_data["reason"],
            by=user,
        )
        return family_url(decided.case) if decided.case else reverse("cases:referral", args=[item.pk])

    return form_page(
        request,
        form=form,
        title=f"Referral of {item.family_name}",
        submit_text="Save the decision",
        back_url=reverse("cases:referrals"),
        save=save,
        success="The decision has been saved.",
        extra={"referral": item},
        template="cases/referral.html",
    )
