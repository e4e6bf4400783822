"""Loads the outcomes app's definitions: distance travelled and its report card (definitions/distance-travelled/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from wholefamily.domain.outcomes.distance import DistanceDefinition, load_definition
from wholefamily.domain.outcomes.report import ReportCardDefinition, load_report_card

DEFAULT_DISTANCE = "appendix-d"


@cache
def distance_definition(name: str = DEFAULT_DISTANCE) -> DistanceDefinition:
    return load_definition(Path(settings.DEFINITIONS_DIR) / "distance-travelled" / f"{name}.yaml")


@cache
def report_card_definition() -> ReportCardDefinition:
    return load_report_card(Path(settings.DEFINITIONS_DIR) / "distance-travelled" / "report-card.yaml")
