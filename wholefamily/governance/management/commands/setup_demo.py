"""Create demo teams and one demo user per role (never in production). Safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wholefamily.domain.roles import Role
from wholefamily.governance.audit import record
from wholefamily.governance.models import StaffProfile, Team

DEMO_PASSWORD = "demo-wholefamily-2026"  # noqa: S105  (demo accounts only; refused in production)

# Districts of the generated demo county's first teams. A later issue derives them from the county.
DEMO_TEAMS = [("Northmoor Families Team", "Northmoor"), ("Eastvale Families Team", "Eastvale")]

DEMO_USERS: list[tuple[str, str, str, Role, int | None, str]] = [
    ("keyworker", "Kim", "Walker", Role.KEY_WORKER, 0, "Family key worker"),
    ("keyworker2", "Sam", "Rivers", Role.KEY_WORKER, 1, "Family key worker"),
    ("manager", "Morgan", "Hale", Role.TEAM_MANAGER, 0, "Team manager"),
    ("programme", "Priya", "Shah", Role.PROGRAMME_MANAGER, None, "Programme manager"),
    ("analyst", "Alex", "Dunn", Role.DATA_ANALYST, None, "Data analyst"),
    ("commissioner", "Chris", "Lowe", Role.COMMISSIONER, None, "Commissioning manager"),
    ("auditor", "Ari", "Noble", Role.AUDITOR, None, "Internal auditor"),
    ("admin", "Ada", "Price", Role.ADMINISTRATOR, None, "System administrator"),
]


class Command(BaseCommand):
    help = "Create demo teams and one demo user per role, and print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo users are never created in production.")
        with transaction.atomic():
            teams = [
                Team.objects.get_or_create(name=name, defaults={"district": district})[0]
                for name, district in DEMO_TEAMS
            ]
            user_model = get_user_model()
            for username, first, last, role, team_index, title in DEMO_USERS:
                user, created = user_model.objects.get_or_create(
                    username=username,
                    defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.is_staff = role is Role.ADMINISTRATOR
                    user.save()
                    user.groups.add(Group.objects.get(name=role.value))
                    team = teams[team_index] if team_index is not None else None
                    StaffProfile.objects.create(user=user, team=team, job_title=title)
                    record(
                        by=None,
                        action="create_demo_user",
                        obj=user,
                        detail={"role": role.value},
                        system_actor="system:setup_demo",
                    )
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role, _team, _title in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {role.label}")
