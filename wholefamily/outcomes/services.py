"""Writes of the outcomes app: recording a family's distance-travelled scores. Each checks access to the family,
applies the definition's rules (domain/outcomes/distance.py) and writes its audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from wholefamily.cases.models import Case, Member
from wholefamily.domain.outcomes import distance
from wholefamily.domain.roles import Action
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent
from wholefamily.outcomes.definitions import distance_definition
from wholefamily.outcomes.models import DistanceAssessment, DistanceScore

ScoreKey = tuple[str, str]  # (distance.FAMILY or the member's id as text, item code)


class OutcomesError(Exception):
    """A change the rules refuse; the message is shown to the user as it is."""


class StaleScoresError(OutcomesError):
    """Someone else recorded scores for the family after this person opened the form (a lost update refused)."""


def subjects_of(case: Case, *, on: date | None = None) -> list[distance.Subject]:
    """Who is scored: the family, then each member in the family on `on` (every current member when None)."""
    members = Member.objects.filter(case=case).order_by("born_on", "display_name", "pk")
    subjects = [distance.Subject(distance.FAMILY, "The whole family", distance.FAMILY)]
    for member in members:
        is_member = (
            member.start_on <= on and (member.end_on is None or member.end_on >= on) if on else member.is_current
        )
        if is_member:
            subjects.append(distance.Subject(str(member.pk), member.display_name, member.role))
    return subjects


def _require_change(by: User, case: Case) -> None:
    decision = access.check(by, Action.CHANGE, case, team_field="team", is_personal=True, worker_field="key_worker")
    if not decision.allowed:
        record(
            by=by,
            action="outcomes.record_distance_travelled",
            obj=case,
            outcome=AuditEvent.Outcome.DENIED,
            detail={"decision": decision.value},
        )
        raise PermissionDenied("You cannot record distance travelled for this family.")


def next_time_point(case: Case, assessor: str) -> int:
    """The baseline first, then R1, R2, ...: one past the latest this assessor recorded for the family."""
    latest = (
        DistanceAssessment.objects.filter(case=case, assessor=assessor)
        .order_by("-time_point")
        .values_list("time_point", flat=True)
        .first()
    )
    return 0 if latest is None else latest + 1


def recorded_count(case: Case) -> int:
    """How many time points of distance travelled the family has, by every assessor: the form's version."""
    return DistanceAssessment.objects.filter(case=case).count()


def record_distance_travelled(
    *,
    case: Case,
    assessed_on: date,
    assessor: str,
    scores: Mapping[ScoreKey, int],
    family_member: Member | None = None,
    notes: str = "",
    expected_recorded: int | None = None,
    by: User,
) -> DistanceAssessment:
    """Record one time point of scores (the baseline, then each review): Commissioning for Families with Complex Needs,
    Appendix D, scored 1 to 5.

    `expected_recorded` is how many time points the family had when the form was opened; if someone has
    recorded one since, the scores are refused rather than saved as a time point the user did not mean.
    """
    definition = distance_definition()
    if assessor not in DistanceAssessment.Assessor.values:
        raise OutcomesError(f"Unknown assessor {assessor!r}.")
    if (assessor == DistanceAssessment.Assessor.FAMILY_MEMBER) != (family_member is not None):
        raise OutcomesError("Say which family member scored (and only when a family member scored).")
    if family_member is not None and family_member.case_id != case.pk:
        raise OutcomesError("That person is not a member of this family.")
    _require_change(by, case)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise OutcomesError("The case is closed: no more scores can be recorded.")
        if assessed_on < case.opened_on:
            raise OutcomesError("The scores cannot be from before the family came onto the programme.")
        if expected_recorded is not None and recorded_count(case) != expected_recorded:
            raise StaleScoresError(
                "Someone else recorded distance travelled scores for this family after you opened the form. "
                "Your scores have not been saved: check the family's scores as they are now and record yours again."
            )
        time_point = next_time_point(case, assessor)
        previous = DistanceAssessment.objects.filter(case=case, assessor=assessor, time_point=time_point - 1).first()
        if previous is not None and assessed_on < previous.assessed_on:
            raise OutcomesError(
                f"The scores cannot be from before the {distance.time_point_label(time_point - 1).lower()} "
                f"({previous.assessed_on:%d %B %Y})."
            )
        try:
            distance.check_scores(definition, subjects_of(case, on=assessed_on), scores)
        except distance.ScoreError as error:
            raise OutcomesError(str(error)) from None
        assessment = DistanceAssessment.objects.create(
            case=case,
            definition=definition.key,
            time_point=time_point,
            assessed_on=assessed_on,
            assessor=assessor,
            family_member=family_member,
            notes=notes,
            recorded_by=by,
            recorded_at=timezone.now(),
        )
        DistanceScore.objects.bulk_create(
            DistanceScore(
                assessment=assessment,
                member_id=None if key == distance.FAMILY else int(key),
                item=item,
                score=score,
            )
            for (key, item), score in sorted(scores.items())
        )
        record(
            by=by,
            action="outcomes.record_distance_travelled",
            obj=assessment,
            detail={
                "case": case.reference,
                "time_point": distance.time_point_code(time_point),
                "assessor": assessor,
                "scores": len(scores),
                "definition": definition.key,
            },
        )
    return assessment
