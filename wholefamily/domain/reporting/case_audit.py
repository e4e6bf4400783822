"""Case file audit: the definition (definitions/reporting/case-file-audit.yaml), the reproducible sample of a
quarter's closed cases and the count of answers for the report card. Pure: no Django, no engine."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class CaseAuditError(ValueError):
    """A case file audit definition that cannot be read."""


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    hint: str
    options: tuple[tuple[str, str], ...]  # (code, label)
    gaps: bool = False  # asks for the gaps in support as text too


@dataclass(frozen=True)
class CaseAuditDefinition:
    name: str
    version: int
    source: tuple[str, ...]
    share: float
    minimum: int
    questions: tuple[Question, ...]

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def sample_size(self, closed: int) -> int:
        """How many of a team's `closed` cases are audited: the share rounded up, at least the minimum, at most all."""
        return min(closed, max(self.minimum, math.ceil(self.share * closed)))

    def rank(self, quarter_code: str, reference: str) -> str:
        return hashlib.sha256(f"{self.name}@{self.version}:{quarter_code}:{reference}".encode()).hexdigest()

    def draw(self, quarter_code: str, closed: Iterable[tuple[str, str]]) -> list[str]:
        """The sample of (team, reference) pairs closed in the quarter: each team's first references in the order
        of their hash with the quarter, as references sorted by team then rank."""
        by_team: dict[str, list[str]] = {}
        for team, reference in closed:
            by_team.setdefault(team, []).append(reference)
        chosen: list[str] = []
        for team in sorted(by_team):
            ranked = sorted(set(by_team[team]), key=lambda reference: (self.rank(quarter_code, reference), reference))
            chosen += ranked[: self.sample_size(len(ranked))]
        return chosen

    def counts(self, answers: Iterable[Mapping[str, str]]) -> list[list[int]]:
        """For each question, how many audits gave each of its options (rows: questions, columns: options)."""
        return option_counts(self.questions, answers)


def option_counts(questions: Iterable[Question], answers: Iterable[Mapping[str, str]]) -> list[list[int]]:
    """For each question, how many answers gave each of its options (rows: questions, columns: options); an answer
    that is none of a question's options is not counted."""
    questions = tuple(questions)
    rows = [[0] * len(question.options) for question in questions]
    for answer in answers:
        for index, question in enumerate(questions):
            codes = [code for code, _ in question.options]
            if answer.get(question.code) in codes:
                rows[index][codes.index(str(answer[question.code]))] += 1
    return rows


def parse_case_audit(raw: Mapping[str, Any]) -> CaseAuditDefinition:
    try:
        sample = raw["sample"]
        share, minimum = float(sample["share"]), int(sample["minimum"])
        questions = tuple(
            Question(
                code=str(item["code"]),
                label=str(item["label"]),
                hint=str(item.get("hint") or ""),
                options=tuple((str(option["code"]), str(option["label"])) for option in item["options"]),
                gaps=bool(item.get("gaps", False)),
            )
            for item in raw["questions"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CaseAuditError(f"case file audit: cannot read {error}") from None
    if not 0 < share <= 1 or minimum < 1:
        raise CaseAuditError("case file audit: share must be above 0 and at most 1, minimum at least 1")
    source = tuple(str(item) for item in raw.get("source") or ())
    if not source:
        raise CaseAuditError("case file audit: source is required")
    if not questions or any(len(q.options) < 2 for q in questions):
        raise CaseAuditError("case file audit: every question needs at least two options")
    shapes: Sequence[str] = [q.code for q in questions]
    if len(set(shapes)) != len(shapes):
        raise CaseAuditError("case file audit: question codes must differ")
    return CaseAuditDefinition(
        name=str(raw.get("name") or "case_file_audit"),
        version=int(raw.get("version", 1)),
        source=source,
        share=share,
        minimum=minimum,
        questions=questions,
    )


def load_case_audit(path: Path) -> CaseAuditDefinition:
    return parse_case_audit(yaml.safe_load(path.read_text(encoding="utf-8")))
