"""A small synthetic county and its perfect-linkage snapshot, made once per test session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.contract import ContractSet, load_contract_set
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.synth.generator import Parameters, generate

REFERENCE_ON = dt.date(2015, 8, 31)  # the generator's reference date for --start 2013-09-01 --years 5


@pytest.fixture(scope="session")
def contract_set() -> ContractSet:
    return load_contract_set(Path(settings.DEFINITIONS_DIR))


@pytest.fixture(scope="session")
def small_county(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("county")
    parameters = Parameters(population=3000, seed=7, start="2013-09-01", years=5)
    generate(parameters, out, definitions_dir=Path(settings.DEFINITIONS_DIR))
    return out


@pytest.fixture(scope="session")
def perfect_snapshot(small_county, contract_set, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("snapshot")
    return build_perfect_snapshot(small_county, out, contracts=contract_set, as_of=REFERENCE_ON)
