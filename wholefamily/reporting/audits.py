"""Case file audits: the quarter's sample of closed cases over the families the user may reach (team managers their
team's, programme managers every team's; ADR 0002), the audit of one sampled case, and the answers counted for the
report card (suppressed by the small-numbers rule; free text never leaves the audit). Decisions: ADR 0021."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wholefamily.cases.models import Case
from wholefamily.domain.reporting.quarters import Quarter, quarter_of
from wholefamily.domain.reporting.small_numbers import suppress_table
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.reporting.definitions import case_audit_definition, small_numbers
from wholefamily.reporting.models import CaseAudit
from wholefamily.reporting.selectors import AnyUser, LabelledTable

AUDITORS = (Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER)


@dataclass(frozen=True)
class SampledCase:
    case: Case
    audit: CaseAudit | None


def closed_in(quarter: Quarter, *, for_user: AnyUser) -> list[Case]:
    """The cases in the user's reach that closed in the quarter."""
    cases = access.scope(for_user, Case.objects.all(), team_field="team", is_personal=True)
    return list(
        cases.filter(closed_on__gte=quarter.starts_on, closed_on__lte=quarter.ends_on)
        .select_related("team")
        .order_by("reference")
    )


def sample(quarter: Quarter, *, for_user: AnyUser) -> list[SampledCase]:
    """The quarter's sample as far as the user reaches: the same cases, whoever draws it and whenever (the draw is
    per team, so a team's part does not depend on other teams' cases)."""
    closed = closed_in(quarter, for_user=for_user)
    chosen = case_audit_definition().draw(quarter.code, [(str(c.team_id), c.reference) for c in closed])
    by_reference = {case.reference: case for case in closed}
    audits = {a.case_id: a for a in CaseAudit.objects.filter(quarter=quarter.code, case__in=closed)}
    cases = sorted((by_reference[reference] for reference in chosen), key=lambda case: case.reference)
    return [SampledCase(case, audits.get(case.pk)) for case in cases]


def is_sampled(case: Case) -> Quarter | None:
    """The quarter whose sample holds this case, or None (an open case, or one not drawn)."""
    if case.closed_on is None:
        return None
    quarter = quarter_of(case.closed_on)
    team_closed = Case.objects.filter(
        team_id=case.team_id, closed_on__gte=quarter.starts_on, closed_on__lte=quarter.ends_on
    ).values_list("reference", flat=True)
    chosen = case_audit_definition().draw(quarter.code, [(str(case.team_id), ref) for ref in team_closed])
    return quarter if case.reference in chosen else None


@transaction.atomic
def save_audit(
    *, case: Case, quarter: Quarter, answers: dict[str, str], gaps: str, notes: str, by: AnyUser
) -> CaseAudit:
    """Record (or record again) the audit of a sampled case; audited as a change of the case's file audit."""
    definition = case_audit_definition()
    audit, created = CaseAudit.objects.update_or_create(
        case=case,
        quarter=quarter.code,
        defaults={
            "definition": definition.label,
            "answers": answers,
            "gaps": gaps,
            "notes": notes,
            "audited_by": by,
            "audited_at": timezone.now(),
        },
    )
    record(by=by, action="create" if created else "change", obj=audit, detail={"quarter": quarter.code, **answers})
    return audit


def results_tables(quarter: Quarter) -> tuple[int, list[LabelledTable]]:
    """The quarter's audits counted by answer, one suppressed table a question: (audits, tables). Counts only."""
    definition = case_audit_definition()
    answers = list(CaseAudit.objects.filter(quarter=quarter.code).values_list("answers", flat=True))
    tables = []
    for question, counts in zip(definition.questions, definition.counts(answers), strict=True):
        table = suppress_table([[count] for count in counts], small_numbers(), row_totals=False, column_totals=True)
        rows = tuple(label for _, label in question.options)
        tables.append(LabelledTable(question.label, "Answer", rows, ("Case files",), table))
    return len(answers), tables
