"""Reads of distance travelled, scoped at the source to the families the user may see (ADR 0002)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from wholefamily.cases.models import Case, Goal, Member
from wholefamily.domain.outcomes import bars, distance, radar, report
from wholefamily.domain.outcomes import evaluate as ev
from wholefamily.domain.pathway import Destination
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.models import StaffProfile
from wholefamily.identification.services import IdentificationError, load_programme_definition
from wholefamily.outcomes import measuring
from wholefamily.outcomes.definitions import distance_definition, report_card_definition
from wholefamily.outcomes.models import DistanceAssessment, DistanceScore, OutcomeResult, OutcomeRun

AnyUser = AbstractBaseUser | AnonymousUser


def distance_assessments_for(*, for_user: AnyUser) -> QuerySet[DistanceAssessment]:
    return access.scope(
        for_user,
        DistanceAssessment.objects.select_related("case", "recorded_by", "family_member"),
        team_field="case__team",
        worker_field="case__key_worker",
    )


@dataclass(frozen=True)
class TimePoint:
    index: int
    assessed_on: date
    recorded_by: str

    @property
    def code(self) -> str:
        return distance.time_point_code(self.index)

    @property
    def label(self) -> str:
        return distance.time_point_label(self.index)


@dataclass(frozen=True)
class Cell:
    score: int | None
    level: str  # "Moderate", or "Not scored"
    movement: distance.Movement


@dataclass(frozen=True)
class ItemRow:
    item: distance.Item
    cells: tuple[Cell, ...]
    travelled: int | None  # baseline minus latest scored: positive is less need

    @property
    def latest(self) -> Cell:
        return self.cells[-1]


@dataclass(frozen=True)
class SubjectDistance:
    subject: distance.Subject
    profile_label: str
    note: str
    rows: tuple[ItemRow, ...]
    means: tuple[float | None, ...]
    chart: radar.Radar | None

    @property
    def slug(self) -> str:
        return f"subject-{self.subject.key}"

    @property
    def has_early_rise(self) -> bool:
        return any(cell.movement is distance.Movement.MORE_NEED_FOUND for row in self.rows for cell in row.cells)


@dataclass(frozen=True)
class FamilyDistance:
    definition: distance.DistanceDefinition
    assessor: str
    assessors_recorded: tuple[str, ...]
    time_points: tuple[TimePoint, ...]
    subjects: tuple[SubjectDistance, ...]

    @property
    def assessor_label(self) -> str:
        return self.definition.assessor_label(self.assessor)


def _subject_note(member: Member | None) -> str:
    if member is None or member.end_on is None:
        return ""
    return f"Left the family on {member.end_on.day} {member.end_on:%B %Y}: {member.end_reason}".rstrip(": ")


def _subject_distance(
    definition: distance.DistanceDefinition,
    subject: distance.Subject,
    member: Member | None,
    points: tuple[TimePoint, ...],
    scores: dict[tuple[int, str, str], int],
) -> SubjectDistance | None:
    items = distance.items_for(definition, subject)
    if not items:
        return None
    rows = []
    for item in items:
        values = [scores.get((point.index, subject.key, item.code)) for point in points]
        baseline = values[0] if values else None
        cells = tuple(
            Cell(
                score=value,
                level="Not scored" if value is None else definition.level(value).level,
                movement=distance.movement(baseline, value, time_point=point.index),
            )
            for point, value in zip(points, values, strict=True)
        )
        latest = next((v for v in reversed(values[1:]) if v is not None), None)
        rows.append(ItemRow(item, cells, distance.distance_travelled(baseline, latest)))
    if (
        member is not None
        and member.end_on is not None
        and not any(r.cells and any(c.score for c in r.cells) for r in rows)
    ):
        return None  # a member who left before ever being scored
    means = tuple(distance.mean_score(row.cells[i].score for row in rows) for i in range(len(points)))
    has_scores = any(cell.score is not None for row in rows for cell in row.cells)
    chart = (
        radar.radar(
            [row.item.label for row in rows],
            [(point.label, [row.cells[i].score for row in rows]) for i, point in enumerate(points)],
        )
        if has_scores and len(rows) >= 3
        else None
    )
    profile = definition.family_profile if subject.role == distance.FAMILY else definition.profile_for(subject.role)
    assert profile is not None
    return SubjectDistance(subject, profile.label, _subject_note(member), tuple(rows), means, chart)


def family_distance(*, for_user: AnyUser, case: Case, assessor: str = "") -> FamilyDistance:
    """The family's scores by one assessor at every time point, per subject, with change from the baseline."""
    definition = distance_definition()
    assessments = list(distance_assessments_for(for_user=for_user).filter(case=case).order_by("time_point"))
    present = {a.assessor for a in assessments}
    recorded = tuple(a.code for a in definition.assessors if a.code in present)
    chosen = assessor if assessor in recorded else (recorded[0] if recorded else DistanceAssessment.Assessor.KEY_WORKER)
    mine = [a for a in assessments if a.assessor == chosen]
    points = tuple(
        TimePoint(a.time_point, a.assessed_on, a.recorded_by.get_full_name() or a.recorded_by.get_username())
        for a in mine
    )
    scores: dict[tuple[int, str, str], int] = {}
    by_assessment = {a.pk: a.time_point for a in mine}
    for row in DistanceScore.objects.filter(assessment__in=mine).values("assessment_id", "member_id", "item", "score"):
        key = distance.FAMILY if row["member_id"] is None else str(row["member_id"])
        scores[(by_assessment[row["assessment_id"]], key, row["item"])] = row["score"]
    members = list(Member.objects.filter(case=case).order_by("born_on", "display_name", "pk"))
    subjects: list[SubjectDistance] = []
    family = _subject_distance(
        definition, distance.Subject(distance.FAMILY, "The whole family", distance.FAMILY), None, points, scores
    )
    if family is not None:
        subjects.append(family)
    for member in members:
        built = _subject_distance(
            definition, distance.Subject(str(member.pk), member.display_name, member.role), member, points, scores
        )
        if built is not None:
            subjects.append(built)
    return FamilyDistance(definition, chosen, recorded, points, tuple(subjects))


# --- outcomes measured from the linked data --------------------------------------------------------------------------


def outcome_results_for(*, for_user: AnyUser) -> QuerySet[OutcomeResult]:
    return access.scope(
        for_user,
        OutcomeResult.objects.select_related("run", "case"),
        team_field="case__team",
        worker_field="case__key_worker",
    )


@dataclass(frozen=True)
class MeasureRow:
    result: OutcomeResult
    label: str
    period_label: str

    @property
    def status_label(self) -> str:
        return ev.Status(self.result.status).label

    @property
    def members(self) -> list[dict[str, object]]:
        return [{**member, "status_label": ev.Status(member["status"]).label} for member in self.result.members]

    @property
    def tag_colour(self) -> str:
        return {
            "achieved": "govuk-tag--green",
            "not_achieved": "govuk-tag--red",
            "missing": "govuk-tag--yellow",
            "not_yet": "govuk-tag--blue",
        }.get(self.result.status, "govuk-tag--grey")


@dataclass(frozen=True)
class ProblemOutcome:
    problem: str
    label: str
    status: ev.Status
    measures: tuple[MeasureRow, ...]


@dataclass(frozen=True)
class FamilyOutcomes:
    run: OutcomeRun | None
    problems: tuple[ProblemOutcome, ...]

    @property
    def measured(self) -> tuple[ProblemOutcome, ...]:
        return tuple(p for p in self.problems if p.status is not ev.Status.NOT_APPLICABLE)

    @property
    def not_measured(self) -> tuple[ProblemOutcome, ...]:
        return tuple(p for p in self.problems if p.status is ev.Status.NOT_APPLICABLE)

    @property
    def start_on(self) -> date | None:
        return self.problems[0].measures[0].result.start_on if self.problems else None


def family_outcomes(*, for_user: AnyUser, case: Case) -> FamilyOutcomes:
    """The family's results in the latest outcomes run that measured it, by headline problem."""
    results = outcome_results_for(for_user=for_user).filter(case=case)
    latest = results.order_by("-run__started_at", "-run_id").values_list("run_id", flat=True).first()
    if latest is None:
        return FamilyOutcomes(None, ())
    rows = list(results.filter(run_id=latest).order_by("problem", "measure"))
    run = rows[0].run
    try:
        framework = measuring.load_framework_for(run.framework)
        programme = load_programme_definition(framework.programme)
        measures = {m.code: m for m in framework.measures}
        problem_labels = {p.code: p.label for p in programme.problems}
    except (measuring.OutcomesRunError, IdentificationError):
        measures, problem_labels = {}, {}
    by_problem: dict[str, list[MeasureRow]] = {}
    for row in rows:
        measure = measures.get(row.measure)
        by_problem.setdefault(row.problem, []).append(
            MeasureRow(row, measure.label if measure else row.measure, measure.period_label if measure else "")
        )
    problems = tuple(
        ProblemOutcome(
            problem,
            problem_labels.get(problem, problem),
            ev.combine([ev.Status(item.result.status) for item in items]),
            tuple(items),
        )
        for problem, items in by_problem.items()
    )
    return FamilyOutcomes(run, problems)


# --- the report card (Commissioning for Families with Complex Needs, Appendix E) ------------------------------------

REPORT_READERS = (
    Role.TEAM_MANAGER,
    Role.PROGRAMME_MANAGER,
    Role.DATA_ANALYST,
    Role.COMMISSIONER,
    Role.AUDITOR,
)


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str
    rows: tuple[report.GroupRow, ...]
    chart: bars.BarChart | None


@dataclass(frozen=True)
class ReportCard:
    families: int
    reviewed: int
    mean_distance: float | None
    dimensions: tuple[Dimension, ...]
    plan_results: tuple[report.PlanResult, ...]
    smallest_group: int


def _scores_by_case(case_ids: list[int]) -> dict[int, dict[int, dict[tuple[str, str], int]]]:
    out: dict[int, dict[int, dict[tuple[str, str], int]]] = {}
    rows = DistanceScore.objects.filter(
        assessment__case_id__in=case_ids, assessment__assessor=DistanceAssessment.Assessor.KEY_WORKER
    ).values_list("assessment__case_id", "assessment__time_point", "member_id", "item", "score")
    for case_id, time_point, member_id, item, score in rows:
        out.setdefault(case_id, {}).setdefault(time_point, {})[(str(member_id), item)] = score
    return out


def _facts(cases: list[Case], definition: report.ReportCardDefinition) -> list[report.FamilyFacts]:
    ids = [case.pk for case in cases]
    scores = _scores_by_case(ids)
    youngest: dict[int, date] = {}
    for case_id, born_on in Member.objects.filter(
        case_id__in=ids, role__in=("child", "young_person"), born_on__isnull=False
    ).values_list("case_id", "born_on"):
        if born_on is not None:
            youngest[case_id] = max(born_on, youngest.get(case_id, born_on))
    goals: dict[int, list[bool]] = {}
    for case_id, is_achieved in Goal.objects.filter(plan__case_id__in=ids).values_list("plan__case_id", "is_achieved"):
        goals.setdefault(case_id, []).append(is_achieved)
    titles = dict(StaffProfile.objects.values_list("user_id", "job_title"))
    facts = []
    for case in cases:
        points = scores.get(case.pk, {})
        baseline = points.get(0, {})
        latest_point = max((p for p in points if p > 0), default=None)
        travelled = None if latest_point is None else report.family_distance(baseline, points[latest_point])
        facts.append(
            report.FamilyFacts(
                tier=definition.tier(distance.mean_score(baseline.values()) if baseline else None),
                age_group=definition.age_group(youngest.get(case.pk), case.opened_on),
                district=case.team.district or "Not recorded",
                key_worker_type=(titles.get(case.key_worker_id) or "Not recorded")
                if case.key_worker_id
                else "Not allocated",
                distance=travelled,
                plan=report.plan_result(
                    is_closed=not case.is_open,
                    is_disengaged=case.closure_destination == Destination.DISENGAGED,
                    goals_achieved=goals.get(case.pk, []),
                ),
            )
        )
    return facts


def report_card(*, for_user: AnyUser) -> ReportCard:
    """Distance travelled and plan results over the families the user may count, by tier of need, age group,
    district and type of key worker (Commissioning for Families with Complex Needs, Appendix E; groups:
    report-card.yaml)."""
    if not access.has_role(for_user, *REPORT_READERS) and not getattr(for_user, "is_superuser", False):
        raise PermissionDenied
    definition = report_card_definition()
    cases = list(access.scope(for_user, Case.objects.select_related("team"), team_field="team", is_personal=False))
    facts = _facts(cases, definition)
    dimensions = []
    for code, label in report.DIMENSIONS:
        rows = tuple(report.aggregate(facts, code, smallest_group=definition.smallest_group))
        shown = [(row.group, row.mean_distance) for row in rows if row.mean_distance is not None]
        chart = bars.bar_chart(shown) if shown else None
        dimensions.append(Dimension(code, label, rows, chart))
    reviewed = [f.distance for f in facts if f.distance is not None]
    return ReportCard(
        families=len(facts),
        reviewed=len(reviewed),
        mean_distance=sum(reviewed) / len(reviewed) if len(reviewed) >= definition.smallest_group else None,
        dimensions=tuple(dimensions),
        plan_results=tuple(report.PlanResult),
        smallest_group=definition.smallest_group,
    )


def framework_choices() -> list[tuple[str, str]]:
    """The shipped outcomes frameworks, as (programme code, title), for the measure form."""
    from wholefamily.outcomes.measuring import frameworks_dir, load_framework_for

    return [(path.stem, load_framework_for(path.stem).title) for path in sorted(frameworks_dir().glob("*.yaml"))]
