"""Loads the extract definitions (definitions/extracts/*.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from wholefamily.domain.extracts import ExtractDefinition, load_extracts


@cache
def extract_definitions() -> dict[str, ExtractDefinition]:
    return load_extracts(Path(settings.DEFINITIONS_DIR) / "extracts")


def extract_definition(code: str) -> ExtractDefinition | None:
    return extract_definitions().get(code)
