"""Identification runs and their cohorts with the evidence behind each family, through the identification app's
selectors and the access door (a run's figures for those who work with cohorts; a cohort family by its team)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from wholefamily.api import paging
from wholefamily.api.resources.common import PageQuery, answers
from wholefamily.api.schemas import Page
from wholefamily.api.security import need, via
from wholefamily.governance.audit import record
from wholefamily.identification import selectors
from wholefamily.identification.models import CohortFamily, IdentificationRun

PREFIX = "/identification-runs"
RESOURCE = "identification"
router = Router(tags=["Identification runs and cohorts"])


class RunOut(Schema):
    id: int
    programme: str
    programme_version: int
    programme_title: str
    as_of_on: dt.date
    status: str
    status_label: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    families_evaluated: int
    families_qualifying: int
    newly_qualifying: int
    no_longer_qualifying: int
    unchanged: int
    dataset_versions: dict[str, Any]


class RunPage(Page):
    items: list[RunOut]


class FamilyOut(Schema):
    id: int
    family_id: str
    household_id: str
    district: str
    ward: str
    team_id: int | None
    is_qualifying: bool
    problems: list[str]
    problem_count: int
    qualifying_route: str
    indicators_met: list[Any]
    change: str
    change_label: str


class FamilyPage(Page):
    items: list[FamilyOut]


class EvidenceOut(Schema):
    person_id: str
    indicator: str
    problem: str
    dataset_version_id: str
    source_record_id: str
    line_number: int | None


class FamilyDetail(FamilyOut):
    evidence: list[EvidenceOut]


class CohortFilters(PageQuery):
    district: str = Field("", max_length=120)
    ward: str = Field("", max_length=120)
    problem: str = Field("", max_length=64)
    change: CohortFamily.Change | None = Field(None, description="Empty: the qualifying families.")


def _run(run: IdentificationRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "programme": run.programme,
        "programme_version": run.programme_version,
        "programme_title": run.programme_title,
        "as_of_on": run.as_of_on,
        "status": run.status,
        "status_label": run.get_status_display(),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "families_evaluated": run.families_evaluated,
        "families_qualifying": run.families_qualifying,
        "newly_qualifying": run.newly_qualifying,
        "no_longer_qualifying": run.no_longer_qualifying,
        "unchanged": run.unchanged,
        "dataset_versions": run.dataset_versions if isinstance(run.dataset_versions, dict) else {},
    }


def _family(family: CohortFamily) -> dict[str, Any]:
    return {
        "id": family.pk,
        "family_id": family.family_id,
        "household_id": family.household_id,
        "district": family.district,
        "ward": family.ward,
        "team_id": family.team_id,
        "is_qualifying": family.is_qualifying,
        "problems": family.problems,
        "problem_count": family.problem_count,
        "qualifying_route": family.qualifying_route,
        "indicators_met": family.indicators_met if isinstance(family.indicators_met, list) else [],
        "change": family.change,
        "change_label": family.get_change_display(),
    }


def _run_for(user: Any, run_id: int) -> IdentificationRun:
    run = selectors.runs(for_user=user).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


@router.get("", response=answers(RunPage), summary="List identification runs (figures, no personal data)")
def list_runs(request: HttpRequest, page: Query[PageQuery]) -> Any:
    user = need(request, RESOURCE, "read")
    return paging.page(
        selectors.runs(for_user=user), cursor=page.cursor, limit=page.limit, render=_run, descending=True
    )


@router.get("/{run_id}", response=answers(RunOut), summary="One identification run")
def get_run(request: HttpRequest, run_id: int) -> Any:
    user = need(request, RESOURCE, "read")
    return _run(_run_for(user, run_id))


@router.get("/{run_id}/families", response=answers(FamilyPage), summary="The run's cohort: the families you may see")
def list_cohort(request: HttpRequest, run_id: int, filters: Query[CohortFilters]) -> Any:
    user = need(request, RESOURCE, "read")
    run = _run_for(user, run_id)
    families = selectors.cohort(
        for_user=user,
        run=run,
        district=filters.district,
        ward=filters.ward,
        problem=filters.problem,
        change=filters.change or "",
    )
    result = paging.page(families, cursor=filters.cursor, limit=filters.limit, render=_family)
    record(
        by=user,
        action="view",
        object_type="identification.cohortfamily",
        object_id=f"run-{run.pk}",
        detail=via(request, rows=len(result["items"])),
    )
    return result


@router.get(
    "/{run_id}/families/{family_id}",
    response=answers(FamilyDetail),
    summary="One cohort family with the evidence behind each indicator",
)
def get_cohort_family(request: HttpRequest, run_id: int, family_id: str) -> Any:
    user = need(request, RESOURCE, "read")
    family = selectors.family(for_user=user, run=_run_for(user, run_id), family_id=family_id[:64])
    return {**_family(family), "evidence": [
        {"person_id": e.person_id, "indicator": e.indicator, "problem": e.problem,
         "dataset_version_id": e.dataset_version_id, "source_record_id": e.source_record_id,
         "line_number": e.line_number}
        for e in family.evidence.all()
    ]}  # fmt: skip
