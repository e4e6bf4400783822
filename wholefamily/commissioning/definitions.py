"""The catalogue's definition (definitions/commissioning/catalogue.yaml), read once per version of the file."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from django.conf import settings

from wholefamily.domain.area_rates import NeedsDefinition, parse_needs
from wholefamily.domain.commissioning import (
    CatalogueDefinition,
    MonitoringDefinition,
    parse_catalogue,
    parse_monitoring,
)


def catalogue_path() -> Path:
    return Path(settings.DEFINITIONS_DIR) / "commissioning" / "catalogue.yaml"


def catalogue_definition() -> CatalogueDefinition:
    path = catalogue_path()
    return _parse(path, path.stat().st_mtime_ns)


@functools.cache
def _parse(path: Path, _mtime: int) -> CatalogueDefinition:
    return parse_catalogue(yaml.safe_load(path.read_text(encoding="utf-8")))


def problem_choices() -> list[tuple[str, str]]:
    """The headline problems services target: the catalogue programme's counted problems, as (code, label)."""
    from wholefamily.identification.services import load_programme_definition

    programme = load_programme_definition(catalogue_definition().programme)
    return [(p.code, p.label) for p in programme.problems if p.is_counted]


def district_choices() -> list[tuple[str, str]]:
    """The county's districts: those of its teams."""
    from wholefamily.governance.models import Team

    districts = sorted({d for d in Team.objects.values_list("district", flat=True) if d})
    return [(d, d) for d in districts]


def monitoring_definition() -> MonitoringDefinition:
    path = Path(settings.DEFINITIONS_DIR) / "commissioning" / "monitoring.yaml"
    return _parse_monitoring(path, path.stat().st_mtime_ns)


@functools.cache
def _parse_monitoring(path: Path, _mtime: int) -> MonitoringDefinition:
    return parse_monitoring(yaml.safe_load(path.read_text(encoding="utf-8")))


def needs_definition() -> NeedsDefinition:
    path = Path(settings.DEFINITIONS_DIR) / "commissioning" / "needs.yaml"
    return _parse_needs(path, path.stat().st_mtime_ns)


@functools.cache
def _parse_needs(path: Path, _mtime: int) -> NeedsDefinition:
    return parse_needs(yaml.safe_load(path.read_text(encoding="utf-8")))
