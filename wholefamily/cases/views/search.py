"""Find a family or person by name, date of birth or postcode (GOV.UK search pattern with a date input)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wholefamily.cases.search import find_people
from wholefamily.governance import access
from wholefamily.linkage.selectors import LINKAGE_ROLES
from wholefamily.web.forms import DayMonthYearField, ErrorSummaryMixin


class SearchForm(ErrorSummaryMixin, forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=100, help_text="A surname, or a full name.")
    date_of_birth = DayMonthYearField(label="Date of birth", required=False, help_text="For example, 27 3 2009")
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not self.errors and not (data.get("name") or data.get("date_of_birth") or data.get("postcode")):
            self.add_error("name", "Enter a name, a date of birth or a postcode")
        return data


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    is_searching = any(key in request.GET for key in ("name", "postcode", "date_of_birth_day"))
    form = SearchForm(request.GET if is_searching else None)
    found = None
    status = 200
    if is_searching:
        if form.is_valid():
            found = find_people(
                for_user=request.user,
                name=form.cleaned_data["name"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                postcode=form.cleaned_data["postcode"],
            )
        else:
            status = 400
    context = {"form": form, "found": found, "may_open_person": access.has_role(request.user, *LINKAGE_ROLES)}
    return render(request, "cases/search.html", context, status=status)
