"""Reads the whole-family assessment definition (definitions/assessment/*.yaml): its domains and score labels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

DEFAULT_NAME = "whole_family"


@dataclass(frozen=True)
class Domain:
    code: str
    label: str
    section: str


@dataclass(frozen=True)
class AssessmentDefinition:
    name: str
    version: int
    sources: tuple[str, ...]
    scores: tuple[tuple[int, str], ...]
    sections: tuple[tuple[str, tuple[Domain, ...]], ...]

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def domains(self) -> tuple[Domain, ...]:
        return tuple(domain for _, domains in self.sections for domain in domains)

    def score_label(self, score: int) -> str:
        return dict(self.scores).get(score, str(score))

    def domain_label(self, code: str) -> str:
        return next((d.label for d in self.domains if d.code == code), code)


@cache
def load(name: str = DEFAULT_NAME) -> AssessmentDefinition:
    path = Path(settings.DEFINITIONS_DIR) / "assessment" / f"{name}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    sections = tuple(
        (
            str(section["label"]),
            tuple(
                Domain(code=str(d["code"]), label=str(d["label"]), section=str(section["code"]))
                for d in section["domains"]
            ),
        )
        for section in raw["sections"]
    )
    codes = [d.code for _, domains in sections for d in domains]
    if len(codes) != len(set(codes)):
        raise ValueError(f"{path}: domain codes must be unique")
    return AssessmentDefinition(
        name=str(raw["name"]),
        version=int(raw["version"]),
        sources=tuple(str(s) for s in raw["source"]),
        scores=tuple((int(s["score"]), str(s["label"])) for s in raw["scores"]),
        sections=sections,
    )
