"""What the resources share: the answers every operation documents, and small renderers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from ninja import Schema
from pydantic import Field

from wholefamily.api.schemas import Conflict, Problem
from wholefamily.governance.models import Team

REFUSALS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_REFUSALS: dict[int, Any] = {**REFUSALS, 409: Conflict}


def answers(ok: Any, *, status: int = 200, write: bool = False) -> dict[int, Any]:
    return {status: ok, **(WRITE_REFUSALS if write else REFUSALS)}


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=200, description="The `next_cursor` of the page before.")
    limit: int = Field(100, ge=1, le=500, description="Rows a page (at most 500).")


def person(user: AbstractBaseUser | None) -> dict[str, Any] | None:
    if user is None:
        return None
    name = user.get_full_name() or user.get_username()  # type: ignore[attr-defined]
    return {"id": user.pk, "name": name}


def team(team: Team) -> dict[str, Any]:
    return {"id": team.pk, "name": team.name, "district": team.district}
