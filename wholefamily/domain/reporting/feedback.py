"""Family and partner feedback: the questionnaire's definition (definitions/reporting/feedback.yaml) and the count of
answers for the report card. Pure: no Django, no engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.reporting.case_audit import Question, option_counts


class FeedbackError(ValueError):
    """A feedback definition that cannot be read."""


@dataclass(frozen=True)
class FeedbackDefinition:
    name: str
    version: int
    source: tuple[str, ...]
    expires_after_days: int
    occasions: tuple[tuple[str, str], ...]
    respondents: tuple[tuple[str, str], ...]
    questions: tuple[Question, ...]

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def counts(self, answers: Iterable[Mapping[str, str]]) -> list[list[int]]:
        """For each question, how many answers gave each of its options (rows: questions, columns: options)."""
        return option_counts(self.questions, answers)


def _pairs(items: Any, what: str) -> tuple[tuple[str, str], ...]:
    pairs = tuple((str(item["code"]), str(item["label"])) for item in items)
    if len(pairs) < 1 or len({code for code, _ in pairs}) != len(pairs):
        raise FeedbackError(f"feedback: {what} need distinct codes")
    return pairs


def parse_feedback(raw: Mapping[str, Any]) -> FeedbackDefinition:
    try:
        days = int(raw["link"]["expires_after_days"])
        occasions = _pairs(raw["occasions"], "occasions")
        respondents = _pairs(raw["respondents"], "respondents")
        questions = tuple(
            Question(
                code=str(item["code"]),
                label=str(item["label"]),
                hint=str(item.get("hint") or ""),
                options=_pairs(item["options"], "options"),
            )
            for item in raw["questions"]
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, FeedbackError):
            raise
        raise FeedbackError(f"feedback: cannot read {error}") from None
    if not 1 <= days <= 365:
        raise FeedbackError("feedback: a link expires after 1 to 365 days")
    source = tuple(str(item) for item in raw.get("source") or ())
    if not source:
        raise FeedbackError("feedback: source is required")
    codes = [q.code for q in questions]
    if not questions or len(set(codes)) != len(codes) or any(len(q.options) < 2 for q in questions):
        raise FeedbackError("feedback: questions need distinct codes and at least two options each")
    return FeedbackDefinition(
        name=str(raw.get("name") or "family_and_partner_feedback"),
        version=int(raw.get("version", 1)),
        source=source,
        expires_after_days=days,
        occasions=occasions,
        respondents=respondents,
        questions=questions,
    )


def load_feedback(path: Path) -> FeedbackDefinition:
    return parse_feedback(yaml.safe_load(path.read_text(encoding="utf-8")))
