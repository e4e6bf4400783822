"""The home page: one section per role the user holds, with the few numbers that role acts on (each a link to the
page behind it) and links to what that role does. Only pages the user may open are linked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from wholefamily.domain.roles import Role
from wholefamily.governance import access, selectors
from wholefamily.governance.models import StaffProfile, Team
from wholefamily.linkage.selectors import review_count
from wholefamily.web.components import Figure, SummaryRow
from wholefamily.web.views import figures


@dataclass(frozen=True)
class RoleSection:
    role: Role
    purpose: str
    figures: list[Figure] = field(default_factory=list)  # the few numbers this role acts on, each a link
    rows: list[SummaryRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # plain sentences: what to ask for


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # login_required
    facts = _Facts.of(user)
    sections = [_section_for(role, facts, figures.for_role(role, user=user)) for role in dashboard_roles(user)]
    return render(request, "web/dashboard.html", {"sections": sections})


def dashboard_roles(user: AbstractBaseUser) -> list[Role]:
    """The user's roles in a stable order; a superuser without a role sees the administrator's section."""
    roles = access.user_roles(user)
    if not roles and getattr(user, "is_superuser", False):
        roles = frozenset({Role.ADMINISTRATOR})
    return [role for role in Role if role in roles]


@dataclass(frozen=True)
class _Facts:
    """What the sections say about the user, read once."""

    team: Team | None
    visible_team_count: int
    is_superuser: bool
    pairs_to_review: int | None = None  # None: the user may not review linkage

    @classmethod
    def of(cls, user: AbstractBaseUser) -> _Facts:
        profile = StaffProfile.objects.select_related("team").filter(user_id=user.pk).first()
        return cls(
            team=profile.team if profile is not None else None,
            visible_team_count=selectors.teams_for(for_user=user).count(),
            is_superuser=bool(getattr(user, "is_superuser", False)),
            pairs_to_review=review_count(for_user=user),
        )


def _section_for(role: Role, facts: _Facts, numbers: list[Figure]) -> RoleSection:
    builders = {
        Role.KEY_WORKER: _key_worker,
        Role.TEAM_MANAGER: _team_manager,
        Role.PROGRAMME_MANAGER: _programme_manager,
        Role.DATA_ANALYST: _data_analyst,
        Role.COMMISSIONER: _commissioner,
        Role.AUDITOR: _auditor,
        Role.ADMINISTRATOR: _administrator,
        Role.PROVIDER: _provider,
    }
    section = builders[role](facts)
    return RoleSection(
        role=section.role, purpose=section.purpose, figures=numbers, rows=section.rows, notes=section.notes
    )


def _key_worker(facts: _Facts) -> RoleSection:
    return RoleSection(
        role=Role.KEY_WORKER,
        purpose="Work with the families allocated to you.",
        rows=[*_own_team_rows(facts), *_case_rows(("referrals",))],
        notes=_no_team_notes(facts),
    )


def _team_manager(facts: _Facts) -> RoleSection:
    return RoleSection(
        role=Role.TEAM_MANAGER,
        purpose="Lead your team: who works with which family, and how full each caseload is.",
        rows=[*_own_team_rows(facts), *_case_rows(("progress",)), _outcomes_row()],
        notes=_no_team_notes(facts),
    )


def _programme_manager(facts: _Facts) -> RoleSection:
    return RoleSection(
        role=Role.PROGRAMME_MANAGER,
        purpose="Run the programme across the county.",
        rows=[
            _teams_row(facts),
            *_case_rows(("progress", "team", "referrals")),
            SummaryRow(
                key="Identify families",
                value="Start an identification run for a programme on a date; read the cohort and need by area.",
                href=reverse("identification:runs"),
                action_text="Open",
            ),
            _outcomes_row(),
            SummaryRow(
                key="Measure outcomes",
                value="Measure the programme's outcomes for its families on a date, in the background.",
                href=reverse("outcomes:measure"),
                action_text="Start",
            ),
            _claims_row(),
            SummaryRow(
                key="Compute claims",
                value="Compute a claim window's results claims, with their evidence packs, in the background.",
                href=reverse("claims:compute"),
                action_text="Start",
            ),
            _funding_row(),
            _jobs_row(),
            _audit_row(),
        ],
    )


def _funding_row() -> SummaryRow:
    return SummaryRow(
        key="Funding",
        value="The funding forecast for the families you expect to work with, and the results paid against it.",
        href=reverse("claims:funding"),
        action_text="View",
    )


def _data_analyst(facts: _Facts) -> RoleSection:
    return RoleSection(
        role=Role.DATA_ANALYST,
        purpose="Bring in agency data and find the families who meet the programme's criteria.",
        rows=[
            SummaryRow(
                key="Data sets",
                value="Upload an agency's delivery; each import is checked row by row and reported.",
                href=reverse("ingest:upload"),
                action_text="Upload",
            ),
            SummaryRow(
                key="Linkage runs",
                value="Link the current data sets into people and households, and read each run's figures.",
                href=reverse("linkage:run_list"),
                action_text="Open",
            ),
            _review_row(facts),
            SummaryRow(
                key="Identification runs",
                value="Find the families who meet a programme's criteria on a date.",
                href=reverse("identification:runs"),
                action_text="Open",
            ),
            _jobs_row(),
            *_case_rows(("progress",)),
        ],
    )


def _review_row(facts: _Facts) -> SummaryRow:
    count = facts.pairs_to_review or 0
    return SummaryRow(
        key="Pairs to review",
        value=f"{count:,} pair{'s' if count != 1 else ''} of records waiting for a decision: same person or not.",
        href=reverse("linkage:review_list"),
        action_text="Review",
    )


def _commissioner(facts: _Facts) -> RoleSection:
    return RoleSection(
        role=Role.COMMISSIONER,
        purpose="Commission services from figures for the whole area. You do not see records about individuals.",
        rows=[_teams_row(facts), *_case_rows(("progress",)), _outcomes_row(), _funding_row()],
    )


def _provider(facts: _Facts) -> RoleSection:
    return RoleSection(
        role=Role.PROVIDER,
        purpose="Report on your organisation's contracts each quarter. You do not see records about individuals.",
        rows=[
            SummaryRow(
                key="Contracts and returns",
                value="Your contracts, and the quarterly service review reports due for each.",
                href=reverse("commissioning:contract_list"),
                action_text="Open",
            )
        ],
    )


def _auditor(facts: _Facts) -> RoleSection:
    return RoleSection(
        role=Role.AUDITOR,
        purpose="Check who did what, and who looked at whose records. You can read everything and change nothing.",
        rows=[_audit_row(), _claims_row(), _teams_row(facts)],
    )


def _administrator(facts: _Facts) -> RoleSection:
    rows = [_teams_row(facts), _audit_row(), _jobs_row()]
    notes: list[str] = []
    if facts.is_superuser:
        rows.insert(
            0,
            SummaryRow(
                key="Administration",
                value="Django's administration pages, for superusers only; every request is audited.",
                href=reverse("admin:index"),
                action_text="Open",
            ),
        )
    return RoleSection(
        role=Role.ADMINISTRATOR,
        purpose="Look after staff accounts, teams and the service's settings.",
        rows=rows,
        notes=notes,
    )


def _own_team_rows(facts: _Facts) -> list[SummaryRow]:
    if facts.team is None:
        return []
    return [
        SummaryRow(
            key="Your team",
            value=f"{facts.team.name} ({facts.team.district})",
            href=reverse("governance:team_detail", args=[facts.team.pk]),
            action_text="View",
        )
    ]


# The case pages (wholefamily.cases): key, description.
_CASE_PAGES = {
    "caseload": ("My caseload", "The families allocated to you, with their stage and next review."),
    "team": ("Team caseload", "Each key worker's caseload against the limit; allocate waiting families."),
    "waiting": ("Waiting list", "Families waiting for a key worker, by priority and waiting time."),
    "reviews_due": ("Reviews due", "Reviews overdue or due in the next two weeks."),
    "referrals": ("Referrals", "Record a referral and make the gatekeeping decision."),
    "progress": ("Progress by district", "Families with a plan, awaiting allocation and in information gathering."),
}


def _case_rows(names: tuple[str, ...]) -> list[SummaryRow]:
    return [
        SummaryRow(
            key=_CASE_PAGES[name][0], value=_CASE_PAGES[name][1], href=reverse(f"cases:{name}"), action_text="Open"
        )
        for name in names
    ]


def _no_team_notes(facts: _Facts) -> list[str]:
    return [] if facts.team is not None else ["You are not in a team yet. Ask an administrator to add you to one."]


def _teams_row(facts: _Facts) -> SummaryRow:
    count = facts.visible_team_count
    return SummaryRow(
        key="Teams",
        value=f"{count} team{'s' if count != 1 else ''} you can see, with their staff.",
        href=reverse("governance:team_list"),
        action_text="View",
    )


def _outcomes_row() -> SummaryRow:
    return SummaryRow(
        key="Is anyone better off?",
        value="Distance travelled and plan results by tier of need, age group, district and key worker type.",
        href=reverse("outcomes:report"),
        action_text="View",
    )


def _claims_row() -> SummaryRow:
    return SummaryRow(
        key="Results claims",
        value="Claims computed from the linked data, their evidence packs and validation; funding against forecast.",
        href=reverse("claims:list"),
        action_text="View",
    )


def _jobs_row() -> SummaryRow:
    return SummaryRow(
        key="Background jobs",
        value="Long-running work, such as imports and linkage runs, and how far each has got.",
        href=reverse("jobs:job_list"),
        action_text="View",
    )


def _audit_row() -> SummaryRow:
    return SummaryRow(
        key="Audit log",
        value="Every sign-in, change and look at a personal record, with who and when.",
        href=reverse("governance:audit_log"),
        action_text="View",
    )
