"""Loads the claims app's definitions: funding (programmes/funding/) and results rules (programmes/results/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from wholefamily.domain.claims.funding import Funding, FundingError, load_funding


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
