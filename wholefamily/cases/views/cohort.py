"""Putting a family found by an identification run on the programme."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from wholefamily.cases import from_cohort, services
from wholefamily.cases.forms import PRIORITIES, radio_field
from wholefamily.cases.views.common import family_url, form_page, posted, signed_in_user
from wholefamily.identification import selectors as identification
from wholefamily.identification.services import IdentificationError, load_programme_definition
from wholefamily.web.forms import GovukForm


class TakeOnForm(GovukForm):
    priority = radio_field("Priority", [(str(value), label) for value, label in PRIORITIES])
    family_name = forms.CharField(label="Family", max_length=200, help_text="How staff will refer to the family.")


@login_required
@require_http_methods(["GET", "POST"])
def take_on(request: HttpRequest, run_id: int, family_id: str) -> HttpResponse:
    """Confirm, then open a case for a cohort family of the user's team (stage: identified)."""
    user = signed_in_user(request)
    run = get_object_or_404(identification.runs(for_user=user), pk=run_id)
    family = identification.family(for_user=user, run=run, family_id=family_id)  # 404/403, audited
    if family.team is None:
        raise Http404
    existing = from_cohort.open_case_for(family)
    if existing is not None:
        return HttpResponseRedirect(family_url(existing))
    members = from_cohort.household_members(family.household_id)
    try:
        labels = {p.code: p.label for p in load_programme_definition(run.programme).problems}
    except IdentificationError:
        labels = {}
    summary = from_cohort.evidence_summary(family, run, labels)
    default_name = from_cohort.family_name_for(members, family.household_id)
    form = TakeOnForm(posted(request), initial={"priority": "2", "family_name": default_name})
    team = family.team

    def save() -> str:
        case = services.open_case_from_cohort(
            team=team,
            household_id=family.household_id,
            family_name=form.cleaned_data["family_name"],
            members=members,
            evidence_summary=summary,
            programme=run.programme,
            priority=int(form.cleaned_data["priority"]),
            by=user,
        )
        return family_url(case)

    names = ", ".join(f"{m.display_name} ({m.role.label.lower()})" for m in members) or "none known yet"
    return form_page(
        request,
        form=form,
        title="Put the family on the programme",
        submit_text="Put on the programme",
        back_url=reverse("cases:team") + f"?team={team.pk}",
        save=save,
        success="The family is on the programme, at the stage: identified. Gather information next.",
        intro=f"{summary} Members: {names}. The family goes to {team.name}.",
    )
