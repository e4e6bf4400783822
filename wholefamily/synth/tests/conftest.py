"""Shared synthetic counties: a 2,000-resident one for most tests, a 20,000-resident one for the rates."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.synth.generator import Parameters, generate


def _make(directory: Path, population: int, seed: int) -> Path:
    generate(
        Parameters(population=population, seed=seed, start="2013-09-01", years=5),
        directory,
        definitions_dir=Path(settings.DEFINITIONS_DIR),
    )
    return directory


@pytest.fixture(scope="session")
def small_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make(tmp_path_factory.mktemp("county-2k"), 2_000, 11)


@pytest.fixture(scope="session")
def county_20k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make(tmp_path_factory.mktemp("county-20k"), 20_000, 5)
