"""Families on the programme (cases): the list, one family with its members, plan, goals and reviews, and a change
to the plan carrying its version. Read through the cases app's selector and the access door, as the web does."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from wholefamily.api import paging
from wholefamily.api.resources.common import PageQuery, answers, person, team
from wholefamily.api.schemas import CaseDetail, CasePage, PlanChange
from wholefamily.api.schemas import Plan as PlanOut
from wholefamily.api.security import need, via
from wholefamily.cases import selectors, services
from wholefamily.cases.lookups import audit_list
from wholefamily.cases.models import Case, Plan
from wholefamily.domain.pathway import MemberRole, Stage
from wholefamily.domain.roles import Action
from wholefamily.governance import access

PREFIX = "/cases"
RESOURCE = "cases"
router = Router(tags=["Families on the programme"])


class CaseFilters(PageQuery):
    stage: Stage | None = Field(None, description="Only families at this stage of the pathway.")
    team_id: int | None = Field(None, ge=1, le=2_147_483_647)
    key_worker_id: int | None = Field(None, ge=1, le=2_147_483_647)
    reference: str | None = Field(None, max_length=20)
    is_open: bool | None = Field(None, description="Only open (true) or closed (false) families.")


def _summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "family_name": case.family_name,
        "household_id": case.household_id,
        "programme": case.programme,
        "team": team(case.team),
        "stage": case.stage,
        "stage_label": Stage(case.stage).label,
        "stage_changed_at": case.stage_changed_at,
        "key_worker": person(case.key_worker),
        "priority": case.priority,
        "opened_on": case.opened_on,
        "plan_agreed_on": case.plan_agreed_on,
        "next_review_due_on": case.next_review_due_on,
        "closed_on": case.closed_on,
    }


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "aims": plan.aims,
        "agreed_on": plan.agreed_on,
        "agreement_signed_on": plan.agreement_signed_on,
        "version": plan.version,
        "updated_at": plan.updated_at,
        "goals": [
            {
                "id": goal.pk,
                "member_id": goal.member_id,
                "description": goal.description,
                "actions": goal.actions,
                "agency": goal.agency,
                "due_on": goal.due_on,
                "is_achieved": goal.is_achieved,
                "achieved_on": goal.achieved_on,
            }
            for goal in plan.goals.all()
        ],
    }


def _detail(case: Case) -> dict[str, Any]:
    plan = Plan.objects.filter(case=case).first()
    return {
        **_summary(case),
        "evidence_summary": case.evidence_summary,
        "closure_destination": case.closure_destination,
        "members": [
            {
                "id": member.pk,
                "person_id": member.person_id,
                "display_name": member.display_name,
                "born_on": member.born_on,
                "role": member.role,
                "role_label": MemberRole(member.role).label,
                "start_on": member.start_on,
                "end_on": member.end_on,
                "version": member.version,
            }
            for member in case.members.all()
        ],
        "plan": _plan(plan) if plan is not None else None,
        "reviews": [
            {
                "id": review.pk,
                "due_on": review.due_on,
                "held_on": review.held_on,
                "progress": review.progress,
                "outcome": review.outcome,
                "outcome_label": review.get_outcome_display(),
            }
            for review in case.reviews.all()
        ],
    }


def case_for(request: HttpRequest, case_id: int, *, action: Action = Action.VIEW) -> Case:
    """The same door as the family's web pages (cases.lookups.case_for): 404 out of reach, 403 forbidden."""
    return access.get_object_for(
        request.user,
        Case.objects.select_related("team", "key_worker"),
        action=action,
        team_field="team",
        worker_field="key_worker",
        is_personal=True,
        pk=case_id,
    )


@router.get("", response=answers(CasePage), summary="List the families on the programme you may see")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    user = need(request, RESOURCE, "read")
    cases = selectors.cases_for(for_user=user)
    if filters.stage is not None:
        cases = cases.filter(stage=filters.stage)
    if filters.team_id is not None:
        cases = cases.filter(team_id=filters.team_id)
    if filters.key_worker_id is not None:
        cases = cases.filter(key_worker_id=filters.key_worker_id)
    if filters.reference:
        cases = cases.filter(reference=filters.reference)
    if filters.is_open is not None:
        cases = cases.exclude(stage=Stage.CLOSED) if filters.is_open else cases.filter(stage=Stage.CLOSED)
    result = paging.page(cases, cursor=filters.cursor, limit=filters.limit, render=_summary)
    audit_list(user, "api", len(result["items"]), **via(request))
    return result


@router.get("/{case_id}", response=answers(CaseDetail), summary="One family: members, stage, key worker, plan, reviews")
def get_case(request: HttpRequest, case_id: int) -> Any:
    need(request, RESOURCE, "read")
    return _detail(case_for(request, case_id))


@router.put("/{case_id}/plan", response=answers(PlanOut, write=True), summary="Change the family's plan")
def change_plan(request: HttpRequest, case_id: int, change: PlanChange) -> Any:
    user = need(request, RESOURCE, "write")
    case = case_for(request, case_id, action=Action.CHANGE)
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        raise Http404
    try:
        plan = services.update_plan(
            plan=plan,
            expected_version=change.version,
            aims=change.aims,
            agreement_signed_on=change.agreement_signed_on,
            by=user,
        )
    except services.StaleRecordError as error:
        current = Plan.objects.get(pk=plan.pk).version
        return Status(409, {"detail": str(error), "current_version": current})
    return _plan(plan)
