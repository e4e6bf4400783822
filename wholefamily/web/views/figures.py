"""The numbers each role's home page shows, each read through the selectors (scoped to the user) and each a link to
the page behind it: caseload against limit, reviews overdue, the waiting list, the clerical review queue, claims
awaiting validation. A role sees a number only where it may open the page behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from wholefamily.cases import selectors as cases
from wholefamily.claims import selectors as claims
from wholefamily.domain.claims.states import ClaimState
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance import selectors as governance
from wholefamily.governance.models import AuditEvent, StaffProfile
from wholefamily.identification import selectors as identification
from wholefamily.identification.models import IdentificationRun
from wholefamily.ingest import selectors as ingest
from wholefamily.jobs import selectors as jobs
from wholefamily.jobs.models import Job
from wholefamily.linkage import selectors as linkage
from wholefamily.web.components import Figure


def _count(number: int, one: str, many: str) -> tuple[str, str]:
    return f"{number:,}", one if number == 1 else many


def _figure(number: int, one: str, many: str, href: str, *, is_warning: bool = False) -> Figure:
    value, label = _count(number, one, many)
    return Figure(value=value, label=label, href=href, is_warning=is_warning and number > 0)


def _today() -> dt.date:
    return timezone.localdate()


def _overdue(user: AbstractBaseUser, *, own: bool) -> int:
    due = cases.reviews_due_for(for_user=user, today=_today(), within_days=0).filter(next_review_due_on__lt=_today())
    return due.filter(key_worker=user.pk).count() if own else due.count()


def _due_soon(user: AbstractBaseUser) -> int:
    return cases.reviews_due_for(for_user=user, today=_today()).filter(next_review_due_on__gte=_today()).count()


def key_worker(user: AbstractBaseUser) -> list[Figure]:
    caseload = cases.caseload_for(for_user=user).count()
    profile = StaffProfile.objects.select_related("team").filter(user_id=user.pk).first()
    limit = profile.team.caseload_limit if profile is not None and profile.team is not None else None
    own = Figure(
        value=f"{caseload} of {limit}" if limit is not None else str(caseload),
        label="families on your caseload" if limit is not None else "families on your caseload (no team limit)",
        href=reverse("cases:caseload"),
        is_warning=limit is not None and caseload > limit,
    )
    return [
        own,
        _figure(
            _overdue(user, own=True), "review overdue", "reviews overdue", reverse("cases:reviews_due"), is_warning=True
        ),
        _figure(_due_soon(user), "review due in two weeks", "reviews due in two weeks", reverse("cases:reviews_due")),
        _figure(
            cases.waiting_list_for(for_user=user).count(),
            "family waiting for a key worker",
            "families waiting for a key worker",
            reverse("cases:waiting"),
        ),
    ]


def team_manager(user: AbstractBaseUser) -> list[Figure]:
    loads = [load for team in cases.managed_teams_for(for_user=user) for load in cases.worker_loads(team=team)]
    open_cases = cases.cases_for(for_user=user).filter(stage__in=cases.OPEN_STAGES).count()
    return [
        _figure(open_cases, "family open in your team", "families open in your team", reverse("cases:team")),
        _figure(
            sum(1 for load in loads if load.is_full),
            "key worker at the caseload limit",
            "key workers at the caseload limit",
            reverse("cases:team"),
            is_warning=True,
        ),
        _figure(
            cases.waiting_list_for(for_user=user).count(),
            "family waiting for a key worker",
            "families waiting for a key worker",
            reverse("cases:waiting"),
            is_warning=True,
        ),
        _figure(
            _overdue(user, own=False),
            "review overdue",
            "reviews overdue",
            reverse("cases:reviews_due"),
            is_warning=True,
        ),
        _figure(
            cases.referrals_for(for_user=user, is_decided=False).count(),
            "referral to decide",
            "referrals to decide",
            reverse("cases:referrals"),
        ),
    ]


def _latest_cohort(user: AbstractBaseUser, *, need: bool = False) -> list[Figure]:
    try:
        run = (
            identification.runs(for_user=user)
            .filter(status=IdentificationRun.Status.SUCCEEDED)
            .order_by("-as_of_on", "-pk")
            .first()
        )
    except PermissionDenied:
        return []
    if run is None:
        return []
    href = reverse("identification:need" if need else "identification:cohort", args=[run.pk])
    return [_figure(run.families_qualifying, "family qualifying", "families qualifying", href)]


def _claims_awaiting_validation(user: AbstractBaseUser) -> list[Figure]:
    try:
        draft = claims.claims_for(for_user=user, state=ClaimState.DRAFT).count()
    except PermissionDenied:
        return []
    return [
        _figure(
            draft,
            "claim awaiting validation",
            "claims awaiting validation",
            f"{reverse('claims:list')}?state={ClaimState.DRAFT.value}",
        )
    ]


def programme_manager(user: AbstractBaseUser) -> list[Figure]:
    open_cases = cases.cases_for(for_user=user).filter(stage__in=cases.OPEN_STAGES).count()
    return [
        _figure(open_cases, "family on the programme", "families on the programme", reverse("cases:progress")),
        _figure(
            cases.waiting_list_for(for_user=user).count(),
            "family waiting for a key worker",
            "families waiting for a key worker",
            reverse("cases:waiting"),
            is_warning=True,
        ),
        _figure(
            _overdue(user, own=False),
            "review overdue",
            "reviews overdue",
            reverse("cases:reviews_due"),
            is_warning=True,
        ),
        *_latest_cohort(user),
        *_claims_awaiting_validation(user),
    ]


def data_analyst(user: AbstractBaseUser) -> list[Figure]:
    figures = [
        _figure(
            ingest.dataset_versions(for_user=user).count(),
            "data set imported",
            "data sets imported",
            reverse("ingest:version_list"),
        )
    ]
    run, pending = linkage.review_queue(for_user=user, limit=10_000)
    if run is not None:
        persons = int((run.figures or {}).get("persons", 0))
        figures.append(_figure(persons, "person linked", "people linked", reverse("linkage:run_list")))
        figures.append(
            _figure(len(pending), "pair to review", "pairs to review", reverse("linkage:review_list"), is_warning=True)
        )
    figures += _latest_cohort(user)
    figures.append(_running_jobs(user))
    return figures


def _running_jobs(user: AbstractBaseUser) -> Figure:
    running = jobs.visible_jobs(for_user=user).filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).count()
    return _figure(running, "background job running", "background jobs running", reverse("jobs:job_list"))


def commissioner(user: AbstractBaseUser) -> list[Figure]:
    progress = cases.progress_by_district(for_user=user)
    return [
        _figure(
            sum(row.with_plan for row in progress),
            "family with a plan",
            "families with a plan",
            reverse("cases:progress"),
        ),
        _figure(
            sum(row.awaiting_allocation for row in progress),
            "family awaiting a key worker",
            "families awaiting a key worker",
            reverse("cases:progress"),
        ),
        *_latest_cohort(user, need=True),
    ]


def _refused_this_week(user: AbstractBaseUser) -> Figure:
    since = _today() - dt.timedelta(days=7)
    refused = governance.audit_events_for(for_user=user, outcome=AuditEvent.Outcome.DENIED, since_on=since)
    return _figure(
        refused.count(),
        "refused attempt in the last 7 days",
        "refused attempts in the last 7 days",
        f"{reverse('governance:audit_log')}?outcome={AuditEvent.Outcome.DENIED.value}",
        is_warning=True,
    )


def auditor(user: AbstractBaseUser) -> list[Figure]:
    return [*_claims_awaiting_validation(user), _refused_this_week(user)]


def administrator(user: AbstractBaseUser) -> list[Figure]:
    return [
        _figure(
            governance.staff_for(for_user=user).filter(user__is_active=True).count(),
            "member of staff",
            "members of staff",
            reverse("governance:team_list"),
        ),
        _running_jobs(user),
        _refused_this_week(user),
    ]


def provider(user: AbstractBaseUser) -> list[Figure]:
    from wholefamily.commissioning.selectors import contracts_for, return_rows
    from wholefamily.domain.commissioning import ReturnStatus

    today = _today()
    waiting = sum(
        1
        for contract in contracts_for(for_user=user).prefetch_related("returns")
        for row in return_rows(contract, today, limit=4)
        if row.status in (ReturnStatus.DUE, ReturnStatus.MISSING)
    )
    return [
        _figure(waiting, "return to enter", "returns to enter", reverse("commissioning:contract_list"), is_warning=True)
    ]


BY_ROLE: dict[Role, Callable[[AbstractBaseUser], list[Figure]]] = {
    Role.KEY_WORKER: key_worker,
    Role.TEAM_MANAGER: team_manager,
    Role.PROGRAMME_MANAGER: programme_manager,
    Role.DATA_ANALYST: data_analyst,
    Role.COMMISSIONER: commissioner,
    Role.AUDITOR: auditor,
    Role.ADMINISTRATOR: administrator,
    Role.PROVIDER: provider,
}


def for_role(role: Role, *, user: AbstractBaseUser) -> list[Figure]:
    """The figures of one role's section; a superuser without the role's group still gets them (they may open
    every page)."""
    if not access.has_role(user, role):
        return []
    return BY_ROLE[role](user)
