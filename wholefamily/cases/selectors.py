"""Reads of families on the programme, scoped at the source to what the user may see.

A key worker sees their own caseload and their team's unallocated families; a team manager the team's
families; county-wide roles every team's (ADR 0002, ADR 0006).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from wholefamily.cases.models import Case, CaseEvent, DistrictEstimate, Referral
from wholefamily.domain.pathway import ACTIVE_PLAN_STAGES, ALLOCATED_STAGES, Stage
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.models import Team

AnyUser = AbstractBaseUser | AnonymousUser
WAITING_STAGES = (Stage.IDENTIFIED, Stage.INFORMATION_GATHERING, Stage.AWAITING_ALLOCATION)
OPEN_STAGES = tuple(stage for stage in Stage if stage.is_open)


def cases_for(*, for_user: AnyUser) -> QuerySet[Case]:
    return access.scope(
        for_user, Case.objects.select_related("team", "key_worker"), team_field="team", worker_field="key_worker"
    )


def caseload_for(*, for_user: AnyUser) -> QuerySet[Case]:
    """The user's own open caseload: families allocated to them."""
    if not for_user.is_authenticated:
        return Case.objects.none()
    return (
        cases_for(for_user=for_user)
        .filter(key_worker=for_user.pk, stage__in=ALLOCATED_STAGES)
        .order_by("next_review_due_on", "reference")
    )


def waiting_list_for(*, for_user: AnyUser, team: Team | None = None) -> QuerySet[Case]:
    """Families not yet allocated, highest priority and longest waiting first."""
    cases = cases_for(for_user=for_user).filter(stage__in=WAITING_STAGES)
    if team is not None:
        cases = cases.filter(team=team)
    return cases.order_by("priority", F("waiting_since_at").asc(nulls_last=True), "opened_on", "id")


def reviews_due_for(*, for_user: AnyUser, today: date, within_days: int = 14) -> QuerySet[Case]:
    """Open families whose next review is overdue or due within `within_days`, soonest first."""
    return (
        cases_for(for_user=for_user)
        .filter(stage__in=ACTIVE_PLAN_STAGES, next_review_due_on__lte=today + timedelta(days=within_days))
        .order_by("next_review_due_on", "reference")
    )


def referrals_for(*, for_user: AnyUser, is_decided: bool | None = None) -> QuerySet[Referral]:
    referrals = access.scope(for_user, Referral.objects.select_related("team", "case"), team_field="team")
    if is_decided is not None:
        referrals = referrals.exclude(decision="") if is_decided else referrals.filter(decision="")
    return referrals


def managed_teams_for(*, for_user: AnyUser) -> QuerySet[Team]:
    """Teams whose caseloads this user manages: their own team for a team manager, every team county-wide."""
    if not access.has_role(for_user, Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER):
        return Team.objects.none()
    if access.has_role(for_user, Role.PROGRAMME_MANAGER):
        return Team.objects.all()
    return Team.objects.filter(pk__in=access.user_team_ids(for_user))


def teams_for_new_families(*, for_user: AnyUser) -> QuerySet[Team]:
    """Teams the user may record a referral for."""
    if access.has_role(for_user, Role.PROGRAMME_MANAGER):
        return Team.objects.all()
    if access.has_role(for_user, Role.KEY_WORKER, Role.TEAM_MANAGER):
        return Team.objects.filter(pk__in=access.user_team_ids(for_user))
    return Team.objects.none()


@dataclass(frozen=True)
class WorkerLoad:
    worker: User
    open_families: int
    limit: int

    @property
    def name(self) -> str:
        return self.worker.get_full_name() or self.worker.get_username()

    @property
    def is_full(self) -> bool:
        return self.open_families >= self.limit


def key_workers_of(team: Team) -> QuerySet[User]:
    return User.objects.filter(staff_profile__team=team, groups__name=Role.KEY_WORKER.value, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def worker_loads(*, team: Team) -> list[WorkerLoad]:
    """Each key worker of the team with their open caseload against the team's limit."""
    workers = key_workers_of(team).annotate(
        open_families=Count("caseload", filter=Q(caseload__stage__in=ALLOCATED_STAGES), distinct=True)
    )
    return [WorkerLoad(worker=w, open_families=w.open_families, limit=team.caseload_limit) for w in workers]


def chronology(*, case: Case) -> QuerySet[CaseEvent]:
    """The family's timeline, newest first. Agency events from the linked data are to be merged in here."""
    return case.events.select_related("by").order_by("-occurred_at", "-id")


def waiting_time(case: Case, now: datetime | None = None) -> timedelta:
    started = case.waiting_since_at or case.stage_changed_at
    return (now or timezone.now()) - started


@dataclass(frozen=True)
class DistrictProgress:
    """One row of the progress table (Working Together With Families (Lancashire, 2013), §2.4)."""

    district: str
    with_plan: int
    awaiting_allocation: int
    information_gathering: int
    estimate: int | None
    worked_with: int

    @property
    def remaining(self) -> int | None:
        return None if self.estimate is None else max(self.estimate - self.worked_with, 0)


def progress_by_district(*, for_user: AnyUser) -> list[DistrictProgress]:
    """Families with a lead professional and an active plan, awaiting allocation, in information gathering,
    and remaining of the district's estimate. Counts only: every staff role may see them."""
    if not access.user_roles(for_user) and not getattr(for_user, "is_superuser", False):
        return []
    counts = (
        Case.objects.values("team__district")
        .annotate(
            with_plan=Count("id", filter=Q(stage__in=ACTIVE_PLAN_STAGES, key_worker__isnull=False)),
            awaiting=Count("id", filter=Q(stage=Stage.AWAITING_ALLOCATION)),
            gathering=Count("id", filter=Q(stage=Stage.INFORMATION_GATHERING)),
            worked_with=Count("id", filter=~Q(stage=Stage.IDENTIFIED)),
        )
        .order_by("team__district")
    )
    by_district = {row["team__district"]: row for row in counts}
    estimates = dict(DistrictEstimate.objects.values_list("district", "families_estimated"))
    districts = sorted(set(by_district) | set(estimates) | set(Team.objects.values_list("district", flat=True)))
    rows = []
    for district in districts:
        row = by_district.get(district, {})
        rows.append(
            DistrictProgress(
                district=district,
                with_plan=row.get("with_plan", 0),
                awaiting_allocation=row.get("awaiting", 0),
                information_gathering=row.get("gathering", 0),
                estimate=estimates.get(district),
                worked_with=row.get("worked_with", 0),
            )
        )
    return rows
