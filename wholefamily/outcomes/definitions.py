"""Loads the outcomes app's definition files: distance travelled (definitions/distance-travelled/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from wholefamily.domain.outcomes.distance import DistanceDefinition, load_definition

DEFAULT_DISTANCE = "appendix-d"


@cache
def distance_definition(name: str = DEFAULT_DISTANCE) -> DistanceDefinition:
    return load_definition(Path(settings.DEFINITIONS_DIR) / "distance-travelled" / f"{name}.yaml")
