"""The feedback questionnaire's definition: the file as shipped reads, and a broken one is refused whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from wholefamily.domain.reporting.feedback import FeedbackError, load_feedback, parse_feedback

SHIPPED = Path(__file__).resolve().parents[2] / "definitions" / "reporting" / "feedback.yaml"


def _raw() -> dict[str, Any]:
    return dict(yaml.safe_load(SHIPPED.read_text(encoding="utf-8")))


def test_the_shipped_definition_reads_and_cites_its_source() -> None:
    definition = load_feedback(SHIPPED)
    assert [q.code for q in definition.questions] == ["satisfaction", "value", "progress"]
    assert definition.expires_after_days == 28 and definition.label == "family_and_partner_feedback v1"
    assert "Commissioning for Families with Complex Needs, Appendix E" in definition.source[0]
    assert definition.counts([{"satisfaction": "very"}, {"satisfaction": "nonsense"}])[0] == [1, 0, 0]


@pytest.mark.parametrize(
    "change",
    [
        lambda raw: raw.pop("source"),
        lambda raw: raw.update(link={"expires_after_days": 0}),
        lambda raw: raw.update(link={}),
        lambda raw: raw["questions"][0].update(options=[{"code": "only", "label": "Only"}]),
        lambda raw: raw["questions"][1].update(code="satisfaction"),
        lambda raw: raw.update(occasions=[{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]),
        lambda raw: raw.update(questions="not a list"),
    ],
)
def test_a_broken_definition_is_refused(change: Any) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(FeedbackError):
        parse_feedback(raw)
