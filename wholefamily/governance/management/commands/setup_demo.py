"""Create one demo team per district of the synthetic county and one demo user per role (never in production).

Safe to run again. `wholefamily load_demo_county` calls `create_demo_staff` before it loads the county's data.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wholefamily.domain.roles import Role
from wholefamily.governance.audit import record
from wholefamily.governance.models import StaffProfile, Team

DEMO_PASSWORD = "demo-wholefamily-2026"  # noqa: S105  (demo accounts only; refused in production)

# (username, first name, last name, role, index of the district whose team they join, job title)
DEMO_USERS: list[tuple[str, str, str, Role, int | None, str]] = [
    ("keyworker", "Kim", "Walker", Role.KEY_WORKER, 0, "Family key worker"),
    ("keyworker2", "Sam", "Rivers", Role.KEY_WORKER, 0, "Family key worker"),
    ("keyworker3", "Jo", "Marsh", Role.KEY_WORKER, 0, "Family key worker"),
    ("keyworker4", "Lee", "Carter", Role.KEY_WORKER, 0, "Family key worker"),
    ("manager", "Morgan", "Hale", Role.TEAM_MANAGER, 0, "Team manager"),
    ("programme", "Priya", "Shah", Role.PROGRAMME_MANAGER, None, "Programme manager"),
    ("analyst", "Alex", "Dunn", Role.DATA_ANALYST, None, "Data analyst"),
    ("commissioner", "Chris", "Lowe", Role.COMMISSIONER, None, "Commissioning manager"),
    ("auditor", "Ari", "Noble", Role.AUDITOR, None, "Internal auditor"),
    ("admin", "Ada", "Price", Role.ADMINISTRATOR, None, "System administrator"),
    ("provider", "Pam", "Reed", Role.PROVIDER, None, "Contract manager, Example Therapies Ltd"),
]


# The staff of every other district's team (they sign in like the others; the demo's history is theirs too): a
# team manager and three key workers, named from these lists by the district's place in the county.
DISTRICT_STAFF_NAMES = (
    ("Ruth", "Ames"), ("Omar", "Bell"), ("Tess", "Cole"), ("Ivan", "Dale"), ("Zara", "Frost"), ("Hugo", "Grant"),
    ("Nia", "Hughes"), ("Ben", "Irwin"), ("Cara", "Jones"), ("Dev", "Kaur"), ("Ella", "Lang"), ("Finn", "Moss"),
    ("Gina", "Nash"), ("Hal", "Owen"), ("Iris", "Park"), ("Jack", "Quinn"), ("Kit", "Reid"), ("Lola", "Stone"),
    ("Max", "Todd"), ("Nell", "Usher"), ("Olly", "Vance"), ("Pia", "Wade"), ("Ray", "Young"), ("Sue", "Zeller"),
)  # fmt: skip
DISTRICT_KEY_WORKERS = 3


def district_staff(districts: list[str]) -> list[tuple[str, str, str, Role, int | None, str]]:
    """A team manager and key workers for each district after the first (whose team holds the demo users)."""
    entries: list[tuple[str, str, str, Role, int | None, str]] = []
    names = iter(DISTRICT_STAFF_NAMES * 2)
    for index, district in enumerate(districts[1:], start=1):
        slug = district.lower().replace(" ", "")
        first, last = next(names)
        entries.append((f"{slug}.manager", first, last, Role.TEAM_MANAGER, index, "Team manager"))
        for number in range(1, DISTRICT_KEY_WORKERS + 1):
            first, last = next(names)
            entries.append((f"{slug}.keyworker{number}", first, last, Role.KEY_WORKER, index, "Family key worker"))
    return entries


def county_districts() -> list[str]:
    """The synthetic county's districts, in the order of its geography definition (the first is the demo's own)."""
    path = Path(settings.DEFINITIONS_DIR) / "synth" / "geography.yaml"
    geography = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [str(district["name"]) for district in geography["districts"]]


def team_name(district: str) -> str:
    return f"{district} Families Team"


@functools.cache
def _demo_password_hash() -> str:
    """One hash of the demo password for every demo user (hashing is deliberately slow; the demo has 29 users)."""
    return make_password(DEMO_PASSWORD)


def _ensure_team(district: str, system_actor: str) -> Team:
    team, created = Team.objects.get_or_create(name=team_name(district), defaults={"district": district})
    if created:
        record(by=None, action="create_demo_team", obj=team, detail={"district": district}, system_actor=system_actor)
    return team


def _ensure_user(entry: tuple[str, str, str, Role, int | None, str], teams: list[Team], system_actor: str) -> None:
    username, first, last, role, team_index, title = entry
    team = teams[team_index] if team_index is not None else None
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"}
    )
    if created:
        user.password = _demo_password_hash()
        user.is_staff = role is Role.ADMINISTRATOR
        user.save()
        # get_or_create: a flushed test database has lost the groups the roles migration made.
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        StaffProfile.objects.create(user=user, team=team, job_title=title)
        record(by=None, action="create_demo_user", obj=user, detail={"role": role.value}, system_actor=system_actor)
        return
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is not None and team is not None and profile.team_id != team.pk:
        # A database made before the teams followed the county's districts: move the demo user to their district.
        before = profile.team.name if profile.team else ""
        profile.team = team
        profile.save(update_fields=["team"])
        record(
            by=None,
            action="move_demo_user",
            obj=user,
            detail={"from_team": before, "to_team": team.name},
            system_actor=system_actor,
        )


def create_demo_staff(*, system_actor: str = "system:setup_demo") -> list[Team]:
    """One team per county district and the demo users (the first district's team holds the demo key workers and
    manager; every other team has its own manager and key workers); existing users keep their password. Returns the
    teams in district order."""
    with transaction.atomic():
        districts = county_districts()
        teams = [_ensure_team(district, system_actor) for district in districts]
        for entry in [*DEMO_USERS, *district_staff(districts)]:
            _ensure_user(entry, teams, system_actor)
    return teams


class Command(BaseCommand):
    help = "Create one demo team per district of the synthetic county and one demo user per role; print sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo users are never created in production.")
        create_demo_staff()
        from wholefamily.governance.agreements import create_demo_agreements
        from wholefamily.ingest.services import contracts

        create_demo_agreements(kinds=sorted(contracts().kinds))
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role, _team, _title in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {role.label}")
        self.stdout.write("  and each other district's team: DISTRICT.manager, DISTRICT.keyworker1 to 3")
        if not settings.WHOLEFAMILY_MFA_REQUIRED:
            self.stdout.write("Two-step verification is optional here: set it up from Your account (ADR 0015).")
