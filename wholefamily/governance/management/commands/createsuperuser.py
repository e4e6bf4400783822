"""`wholefamily createsuperuser`: Django's command, with the new superuser written to the audit log.

A superuser is made only here, at the command line (ADR 0014): the admin cannot make one, and the service's
staff pages cannot either.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser

from wholefamily.governance.audit import record


class Command(createsuperuser.Command):
    help = "Make a superuser (audited). Superusers are made only from the command line."

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects.using(options.get("database") or "default")
        before = set(users.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in users.filter(is_superuser=True).exclude(pk__in=before):
            record(
                by=None,
                action="create_superuser",
                obj=user,
                detail={"username": user.get_username()},
                system_actor="system:createsuperuser",
            )
