"""Extracts: the family-level returns a council sends to government (definitions/extracts/, ADR 0035), built as a
background job and downloaded as CSV. For the roles that read and build them on the web (extracts.selectors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status
from pydantic import Field

from wholefamily.api import idempotency, paging
from wholefamily.api.resources import jobs
from wholefamily.api.resources.common import REFUSALS, PageQuery, answers
from wholefamily.api.schemas import ExtractDefinitionList, ExtractIn, ExtractOut, ExtractPage, ExtractStarted
from wholefamily.api.security import need, via
from wholefamily.domain.extracts import ExtractDefinition
from wholefamily.extracts import selectors
from wholefamily.extracts.definitions import counted_problems, extract_definitions
from wholefamily.extracts.models import Extract
from wholefamily.extracts.tasks import start_build
from wholefamily.governance.audit import record
from wholefamily.identification.services import IdentificationError

PREFIX = "/extracts"
RESOURCE = "extracts"
router = Router(tags=["Extracts"])
KEY_HELP = "A key of your own for this build: sending it again with the same key answers as the first time did."
CSV_ANSWER = {
    200: {"description": "The extract's CSV file, as built.", "content": {"text/csv": {"schema": {"type": "string"}}}}
}


class ExtractFilters(PageQuery):
    definition: str = Field("", max_length=80, description="Only extracts of this definition.")


def _definition(definition: ExtractDefinition) -> dict[str, Any]:
    try:
        _, problems = counted_problems(definition)
    except IdentificationError:
        problems = []
    return {
        "code": definition.code,
        "version": definition.version,
        "title": definition.title,
        "programme": definition.programme,
        "case_programmes": list(definition.case_programmes),
        "outcomes_framework": definition.outcomes_framework,
        "unit": definition.unit,
        "source": list(definition.source),
        "choices": list(definition.choices),
        "columns": [{"name": c.name, "description": c.description} for c in definition.columns(problems)],
    }


def render(extract: Extract) -> dict[str, Any]:
    return {
        "id": extract.pk,
        "definition": extract.definition,
        "definition_version": extract.definition_version,
        "title": extract.title,
        "programme": extract.programme,
        "built_at": extract.built_at,
        "built_by": extract.built_by.get_username(),
        "rows": extract.rows,
        "sha256": extract.sha256,
        "columns": extract.columns if isinstance(extract.columns, list) else [],
        "built_from": extract.built_from if isinstance(extract.built_from, dict) else {},
        "job_id": str(extract.job_id) if extract.job_id else None,
        "file": f"/api/v1/extracts/{extract.pk}/file",
    }


def _reader(request: HttpRequest, level: str) -> Any:
    user = need(request, RESOURCE, level)
    selectors.require_reader(user)
    return user


@router.get("/definitions", response=answers(ExtractDefinitionList), summary="The extracts this service can build")
def list_definitions(request: HttpRequest) -> Any:
    _reader(request, "read")
    return {"items": [_definition(d) for _, d in sorted(extract_definitions().items())]}


@router.get("", response=answers(ExtractPage), summary="The extracts built, newest first")
def list_extracts(request: HttpRequest, filters: Query[ExtractFilters]) -> Any:
    user = _reader(request, "read")
    built = selectors.extracts_for(for_user=user, definition=filters.definition)
    return paging.page(built, cursor=filters.cursor, limit=filters.limit, render=render, descending=True)


@router.post(
    "",
    response=answers(ExtractStarted, status=202, write=True),
    summary="Build an extract: starts a background job (programme managers, data analysts, administrators)",
)
def build_extract(
    request: HttpRequest,
    body: ExtractIn,
    idempotency_key: str | None = Header(  # type: ignore[type-arg]
        None, alias="Idempotency-Key", max_length=idempotency.KEY_MAX, description=KEY_HELP
    ),
) -> Any:
    user = need(request, RESOURCE, "write")
    selectors.require_builder(user)
    definition = extract_definitions().get(body.definition)
    if definition is None:
        known = ", ".join(sorted(extract_definitions()))
        return Status(422, {"detail": f"There is no extract called {body.definition!r}. The extracts are: {known}."})

    def do() -> tuple[int, Any]:
        job = start_build(code=definition.code, title=definition.title, by=user)
        return 202, {"job": jobs.render(job)}

    try:
        status, answer = idempotency.once(
            user=user, key=idempotency_key, operation="build_extract", body={"definition": definition.code}, do=do
        )
    except idempotency.KeyReused:
        return Status(422, {"detail": "This Idempotency-Key was first used for a different request: use a new key."})
    return Status(status, answer)


@router.get("/{extract_id}", response=answers(ExtractOut), summary="One extract: its columns, provenance and checksum")
def get_extract(request: HttpRequest, extract_id: int) -> Any:
    user = _reader(request, "read")
    return render(selectors.extract_for(for_user=user, pk=extract_id))


@router.get(
    "/{extract_id}/file",
    response=REFUSALS,
    openapi_extra={"responses": CSV_ANSWER},
    summary="Download an extract's CSV file, as built",
)
def get_extract_file(request: HttpRequest, extract_id: int) -> Any:
    user = _reader(request, "read")
    built = selectors.extract_file(for_user=user, pk=extract_id)
    record(by=user, action="extracts.download_extract", obj=built, detail=via(request, rows=built.rows))
    response = HttpResponse(bytes(built.content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{built.file_name}"'
    return response
