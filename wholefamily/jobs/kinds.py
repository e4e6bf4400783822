"""The kinds of job a person may start by name (web button, `wholefamily jobs run KIND`).

Each kind pairs its django-tasks task (run by a worker) with the same work as a plain function (run
in the foreground by the CLI), and the roles allowed to start it. Other apps add theirs with `register`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_tasks.base import Task

from wholefamily.domain.roles import Role
from wholefamily.jobs import tasks
from wholefamily.jobs.services import JobWork


@dataclass(frozen=True)
class JobKind:
    code: str
    title: str
    task: Task[..., Any]
    work: JobWork
    starter_roles: frozenset[Role]


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> JobKind:
    try:
        return KINDS[code]
    except KeyError:
        known = ", ".join(sorted(KINDS)) or "none"
        raise LookupError(f"No job kind {code!r}; known kinds: {known}") from None


CHECK_DATA_STORE = register(
    JobKind(
        code=tasks.CHECK_DATA_STORE,
        title="Check the data store",
        task=tasks.check_data_store,
        work=tasks.data_store_check,
        starter_roles=frozenset({Role.DATA_ANALYST, Role.ADMINISTRATOR}),
    )
)
