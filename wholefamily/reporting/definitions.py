"""Loads the reporting app's definitions: small numbers (definitions/reporting/small-numbers.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from wholefamily.domain.reporting.small_numbers import SmallNumbers, load_small_numbers


@cache
def small_numbers() -> SmallNumbers:
    return load_small_numbers(Path(settings.DEFINITIONS_DIR) / "reporting" / "small-numbers.yaml")
