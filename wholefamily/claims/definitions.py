"""Loads the claims app's definitions: funding (programmes/funding/) and results rules (programmes/results/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from wholefamily.domain.claims.funding import Funding, FundingError, load_funding
from wholefamily.domain.claims.rules import ResultsRules, load_results_rules
from wholefamily.domain.criteria.schema import DefinitionError


def funding_dir() -> Path:
    return Path(settings.PROGRAMMES_DIR) / "funding"


def available_funding() -> list[str]:
    """Programme codes with a funding definition, sorted."""
    return sorted(path.stem for path in funding_dir().glob("*.yaml"))


@cache
def funding_definition(programme: str) -> Funding:
    if programme not in available_funding():
        raise FundingError(f"no funding definition for {programme!r} (have: {', '.join(available_funding())})")
    return load_funding(funding_dir() / f"{programme}.yaml")


def results_dir() -> Path:
    return Path(settings.PROGRAMMES_DIR) / "results"


def available_results() -> list[str]:
    return sorted(path.stem for path in results_dir().glob("*.yaml"))


@cache
def results_rules(programme: str) -> ResultsRules:
    if programme not in available_results():
        raise DefinitionError(f"no results rules for {programme!r} (have: {', '.join(available_results())})")
    return load_results_rules(results_dir() / f"{programme}.yaml")
