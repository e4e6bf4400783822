"""Loads the extract definitions (definitions/extracts/*.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from wholefamily.domain.criteria.schema import Programme
from wholefamily.domain.extracts import ExtractDefinition, Problem, load_extracts
from wholefamily.identification.services import load_programme_definition


@cache
def extract_definitions() -> dict[str, ExtractDefinition]:
    return load_extracts(Path(settings.DEFINITIONS_DIR) / "extracts")


def extract_definition(code: str) -> ExtractDefinition | None:
    return extract_definitions().get(code)


def counted_problems(definition: ExtractDefinition) -> tuple[Programme, list[Problem]]:
    """The extract's programme and its counted headline problems (those its per-problem columns repeat for).
    Raises IdentificationError when the programme is not one this service has."""
    programme = load_programme_definition(definition.programme)
    return programme, [Problem(p.code, p.label) for p in programme.problems if p.is_counted]
