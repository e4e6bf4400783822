"""Reads the synthetic county's definition files (definitions/synth/*.yaml) into typed settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

NAME_NOISES = ("typo_forename", "typo_surname", "nickname", "name_swap", "double_barrel_variant")
RECORD_NOISES = ("missing_dob", "missing_address", "missing_identifier", "stale_address")
PERSON_NOISES = (*NAME_NOISES, "dob_day_month_swap", "duplicate_person_id")


@dataclass(frozen=True)
class AgencyNoise:
    name: str
    kinds: tuple[str, ...]
    identifier: str | None
    uprn_known: float
    has_address_lines: bool
    rates: dict[str, float]


@dataclass(frozen=True)
class SynthDefinitions:
    names: dict[str, Any]
    geography: dict[str, Any]
    households: dict[str, Any]
    prevalence: dict[str, Any]
    agencies: tuple[AgencyNoise, ...]


def _read(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: not a mapping")
    return loaded


def load_definitions(synth_dir: Path, *, noise_scale: float = 1.0) -> SynthDefinitions:
    """Load names, geography, households, prevalence and noise; noise rates are multiplied by `noise_scale`."""
    noise = _read(synth_dir / "noise.yaml")
    agencies = []
    for name, raw in noise["agencies"].items():
        rates = {key: min(1.0, float(value) * noise_scale) for key, value in raw["rates"].items()}
        missing = set(PERSON_NOISES + RECORD_NOISES) - set(rates)
        if missing:
            raise ValueError(f"noise.yaml: agency {name} lacks rates {sorted(missing)}")
        agencies.append(
            AgencyNoise(
                name=name,
                kinds=tuple(raw["kinds"]),
                identifier=raw.get("identifier"),
                uprn_known=float(raw.get("uprn_known", 0.0)),
                has_address_lines=bool(raw.get("has_address_lines", True)),
                rates=rates,
            )
        )
    return SynthDefinitions(
        names=_read(synth_dir / "names.yaml"),
        geography=_read(synth_dir / "geography.yaml"),
        households=_read(synth_dir / "households.yaml"),
        prevalence=_read(synth_dir / "prevalence.yaml"),
        agencies=tuple(agencies),
    )
