"""Model field choices made from the domain's enums, so the database stores the domain's codes."""

from __future__ import annotations

import enum


def choices_of(labelled: type[enum.StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, getattr(member, "label", member.value)) for member in labelled]
