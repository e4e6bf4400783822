"""The page that brings existing cases from a file (ADR 0011): a manager uploads the CSV, sees each bad row by line
and reason, or the families brought in. The work is `cases.imports.import_existing_cases`."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from wholefamily.cases.imports import Problem, definition, import_existing_cases
from wholefamily.cases.services import pathway_roles
from wholefamily.domain import pathway
from wholefamily.web.http import signed_in_user

MAX_BYTES = 5 * 1024 * 1024
PROBLEMS_SHOWN = 100


class ExistingCasesForm(forms.Form):
    file = forms.FileField(
        label="The file of existing cases (CSV)",
        error_messages={"required": "Choose the file of existing cases", "empty": "The file is empty"},
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a CSV file")
        return upload


def _save(upload: forms.FileField) -> Path:
    folder = Path(settings.DATA_DIR) / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / "existing-cases.csv"
    with path.open("wb") as handle:
        for chunk in upload.chunks():  # type: ignore[attr-defined]
            handle.write(chunk)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def import_cases(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not pathway_roles(user) & pathway.MANAGERS:
        raise PermissionDenied("Only a team or programme manager brings existing cases in.")
    form = ExistingCasesForm(request.POST, request.FILES) if request.method == "POST" else ExistingCasesForm()
    problems: list[Problem] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = import_existing_cases(path=_save(form.cleaned_data["file"]), by=user)
            if result.is_accepted:
                messages.success(
                    request,
                    f"{len(result.imported):,} families brought in with their history; "
                    f"{len(result.already_there):,} were already here.",
                )
                return HttpResponseRedirect(reverse("cases:team"))
            problems = result.problems
    columns = [
        (column["name"], column["description"], bool(column.get("required"))) for column in definition()["columns"]
    ]
    return render(
        request,
        "cases/import_cases.html",
        {
            "form": form,
            "problems": problems[:PROBLEMS_SHOWN],
            "problems_total": len(problems),
            "columns": columns,
            "back_url": reverse("cases:team"),
        },
        status=status,
    )
