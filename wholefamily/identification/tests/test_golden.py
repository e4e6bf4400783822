"""Golden cases for every indicator of every shipped programme definition, on DuckDB with hand-built tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.contract import ContractSet, load_contract_set
from wholefamily.domain.criteria.schema import Programme, load_programmes
from wholefamily.identification.tests.golden_cases import GOLDEN_DIR, check_case, evaluate_cases, load_cases

PROGRAMMES = sorted(path.stem for path in Path(settings.PROGRAMMES_DIR).glob("*.yaml"))


@pytest.fixture(scope="module")
def contracts() -> ContractSet:
    return load_contract_set(Path(settings.DEFINITIONS_DIR))


@pytest.fixture(scope="module")
def programmes() -> dict[str, Programme]:
    return load_programmes(Path(settings.PROGRAMMES_DIR))


@pytest.fixture(scope="module")
def evaluated(contracts, programmes, tmp_path_factory):
    cache = {}

    def run(code: str):
        if code not in cache:
            cases = load_cases(code)
            evaluation = evaluate_cases(programmes[code], cases, tmp_path_factory.mktemp(code), contracts)
            cache[code] = (cases, {row["family_id"]: row for row in evaluation.families.to_pylist()})
        return cache[code]

    return run


def test_every_programme_has_golden_cases():
    assert sorted(path.stem for path in GOLDEN_DIR.glob("*.yaml")) == PROGRAMMES


@pytest.mark.parametrize("code", PROGRAMMES)
def test_every_indicator_has_a_case_that_meets_it(code, programmes):
    covered = {name for case in load_cases(code) for name in case.spec.get("expect", {}).get("indicators", ())}
    missing = sorted({indicator.code for indicator in programmes[code].indicators} - covered)
    assert not missing, f"{code}: no golden case meets {missing}"


@pytest.mark.parametrize("code", PROGRAMMES)
def test_every_route_has_a_case(code, programmes):
    routes = {case.spec.get("expect", {}).get("route") for case in load_cases(code)}
    missing = sorted({route.code for route in programmes[code].routes} - routes)
    assert not missing, f"{code}: no golden case qualifies by {missing}"


@pytest.mark.parametrize("code", PROGRAMMES)
def test_golden_cases(code, programmes, evaluated):
    cases, rows = evaluated(code)
    failures = {str(case): found for case in cases if (found := check_case(case, programmes[code], rows))}
    assert not failures, "\n".join(f"{name}: {'; '.join(found)}" for name, found in failures.items())
