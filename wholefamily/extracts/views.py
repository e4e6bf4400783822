"""Extracts on the web: the definitions and the extracts built (county-wide roles), building one as a job
(programme managers, data analysts, administrators), one extract's columns and provenance, and its file."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from wholefamily.extracts import selectors
from wholefamily.extracts.definitions import extract_definitions
from wholefamily.extracts.tasks import start_build
from wholefamily.governance.audit import record
from wholefamily.web.forms import GovukForm
from wholefamily.web.http import posted, signed_in_user
from wholefamily.web.pages import page_for


class BuildExtractForm(GovukForm):
    definition = forms.ChoiceField(
        label="Which extract?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the extract to build", "invalid_choice": "Choose one of the extracts"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["definition"].choices = [  # type: ignore[attr-defined]
            (code, f"{definition.title} (version {definition.version})")
            for code, definition in sorted(extract_definitions().items())
        ]


@login_required
@page_for(*selectors.EXTRACT_READERS)
@require_GET
def extracts(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    built = list(selectors.extracts_for(for_user=user)[:200])
    return render(
        request,
        "extracts/extracts.html",
        {
            "definitions": sorted(extract_definitions().values(), key=lambda d: d.title),
            "extracts": built,
            "may_build": selectors.may_build(user),
        },
    )


@login_required
@page_for(*selectors.EXTRACT_BUILDERS)
@require_http_methods(["GET", "POST"])
def build_extract(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = BuildExtractForm(posted(request), initial={"definition": request.GET.get("definition", "")})
    if request.method == "POST" and form.is_valid():
        definition = extract_definitions()[form.cleaned_data["definition"]]
        job = start_build(code=definition.code, title=definition.title, by=user)
        return HttpResponseRedirect(reverse("jobs:job_detail", args=[job.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "extracts/build_extract.html", {"form": form}, status=status)


@login_required
@page_for(*selectors.EXTRACT_READERS)
@require_GET
def extract(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    built = selectors.extract_for(for_user=user, pk=pk)
    definition = extract_definitions().get(built.definition)
    record(by=user, action="view", obj=built)
    return render(
        request,
        "extracts/extract.html",
        {
            "extract": built,
            "definition": definition if definition and definition.version == built.definition_version else None,
        },
    )


@login_required
@page_for(*selectors.EXTRACT_READERS)
@require_GET
def extract_csv(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    built = selectors.extract_file(for_user=user, pk=pk)
    record(by=user, action="extracts.download_extract", obj=built, detail={"rows": built.rows})
    response = HttpResponse(bytes(built.content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{built.file_name}"'
    return response
