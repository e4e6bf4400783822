"""A family's outcomes: the distance-travelled scores over time (every assessor) and the outcomes reached, as the
family's outcomes pages show them. Read through the outcomes app's selectors, behind the same door as the case
page (cases.lookups.case_for: 404 out of reach, each read of the family audited)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from wholefamily.api.resources.common import answers
from wholefamily.api.schemas import FamilyOutcomesOut
from wholefamily.api.security import need
from wholefamily.cases.lookups import case_for
from wholefamily.cases.models import Goal
from wholefamily.outcomes import selectors
from wholefamily.outcomes.selectors import FamilyDistance, FamilyOutcomes

PREFIX = "/outcomes"
RESOURCE = "outcomes"
router = Router(tags=["Outcomes and distance travelled"])


def _distance(family: FamilyDistance) -> dict[str, Any]:
    return {
        "assessor": family.assessor,
        "assessor_label": family.assessor_label,
        "time_points": [
            {"index": p.index, "code": p.code, "label": p.label, "assessed_on": p.assessed_on,
             "recorded_by": p.recorded_by}
            for p in family.time_points
        ],
        "subjects": [
            {
                "key": s.subject.key, "label": s.subject.label, "role": s.subject.role,
                "profile_label": s.profile_label, "note": s.note, "means": list(s.means),
                "items": [
                    {"code": row.item.code, "label": row.item.label,
                     "scores": [cell.score for cell in row.cells], "levels": [cell.level for cell in row.cells],
                     "movements": [str(cell.movement) for cell in row.cells], "travelled": row.travelled}
                    for row in s.rows
                ],
            }
            for s in family.subjects
        ],
    }  # fmt: skip


def _outcomes(outcomes: FamilyOutcomes) -> list[dict[str, Any]]:
    return [
        {
            "problem": problem.problem, "label": problem.label, "status": str(problem.status),
            "status_label": problem.status.label,
            "measures": [
                {"measure": m.result.measure, "label": m.label, "period_label": m.period_label,
                 "status": m.result.status, "status_label": m.status_label, "reason": m.result.reason,
                 "start_on": m.result.start_on, "end_on": m.result.end_on, "period_from": m.result.period_from,
                 "period_to": m.result.period_to,
                 "members": [dict(member) for member in m.members]}
                for m in problem.measures
            ],
        }
        for problem in outcomes.problems
    ]  # fmt: skip


@router.get(
    "/families/{case_id}",
    response=answers(FamilyOutcomesOut),
    summary="One family's distance travelled over time and the outcomes it reached",
)
def get_family_outcomes(request: HttpRequest, case_id: int) -> Any:
    user = need(request, RESOURCE, "read")
    case = case_for(request, case_id)  # audits the read, as the family's outcomes pages do
    first = selectors.family_distance(for_user=user, case=case)
    by_assessor = [first] + [
        selectors.family_distance(for_user=user, case=case, assessor=code)
        for code in first.assessors_recorded
        if code != first.assessor
    ]
    outcomes = selectors.family_outcomes(for_user=user, case=case)
    run = outcomes.run
    run_out = None
    if run is not None:
        run_out = {"id": run.pk, "framework": run.framework, "framework_version": run.framework_version,
                   "as_of_on": run.as_of_on, "started_at": run.started_at}  # fmt: skip
    goals = Goal.objects.filter(plan__case=case)
    return {
        "case_id": case.pk,
        "reference": case.reference,
        "distance_definition": f"{first.definition.name}@{first.definition.version}",
        "distance_travelled": [_distance(family) for family in by_assessor if family.time_points],
        "outcomes_run": run_out,
        "outcomes": _outcomes(outcomes),
        "goals_achieved": goals.filter(is_achieved=True).count(),
        "goals": goals.count(),
    }
