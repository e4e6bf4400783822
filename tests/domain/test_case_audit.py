"""The case file audit's definition and sample: the same quarter draws the same cases, each team's part on its own,
of the size the definition states; the answers are counted by question and option."""

from __future__ import annotations

from pathlib import Path

import pytest

from wholefamily.domain.reporting.case_audit import CaseAuditError, load_case_audit, parse_case_audit

DEFINITION = load_case_audit(Path(__file__).resolve().parents[2] / "definitions" / "reporting" / "case-file-audit.yaml")


def test_the_definition_cites_appendix_e_and_asks_the_three_questions() -> None:
    assert any(s.startswith("Commissioning for Families with Complex Needs, Appendix E") for s in DEFINITION.source)
    assert [q.code for q in DEFINITION.questions] == ["engagement", "multi_agency", "outcome_focused"]
    assert DEFINITION.label == "case_file_audit v1"


@pytest.mark.parametrize(("closed", "size"), [(0, 0), (1, 1), (3, 3), (4, 3), (30, 3), (31, 4), (100, 10)])
def test_the_size_is_a_share_rounded_up_with_a_floor(closed: int, size: int) -> None:
    assert DEFINITION.sample_size(closed) == size


def test_the_sample_is_reproducible_and_seeded_by_the_quarter() -> None:
    closed = [("north", f"F-{n:04d}") for n in range(40)]
    first = DEFINITION.draw("2025-26-q2", closed)
    assert first == DEFINITION.draw("2025-26-q2", list(reversed(closed)))  # order of the records does not matter
    assert len(first) == 4
    assert DEFINITION.draw("2025-26-q3", closed) != first  # another quarter, another sample


def test_each_teams_part_does_not_depend_on_other_teams() -> None:
    north = [("north", f"F-{n:04d}") for n in range(20)]
    south = [("south", f"S-{n:04d}") for n in range(50)]
    together = DEFINITION.draw("2025-26-q2", north + south)
    assert [ref for ref in together if ref.startswith("F-")] == DEFINITION.draw("2025-26-q2", north)
    assert len(together) == 3 + 5


def test_answers_are_counted_by_question_and_option() -> None:
    counts = DEFINITION.counts(
        [
            {"engagement": "well", "multi_agency": "partly", "outcome_focused": "yes"},
            {"engagement": "well", "multi_agency": "no", "outcome_focused": "odd"},
        ]
    )
    assert counts == [[2, 0, 0], [0, 1, 1], [1, 0, 0]]


@pytest.mark.parametrize(
    "change",
    [
        {"sample": {"share": 0, "minimum": 3}},
        {"sample": {"share": 0.1, "minimum": 0}},
        {"source": []},
        {"questions": []},
        {"questions": [{"code": "a", "label": "A", "options": [{"code": "x", "label": "X"}]}]},
    ],
)
def test_a_definition_that_cannot_be_read_is_refused(change: dict[str, object]) -> None:
    raw = {
        "name": "case_file_audit",
        "version": 1,
        "source": ["A source"],
        "sample": {"share": 0.1, "minimum": 3},
        "questions": [
            {"code": "a", "label": "A", "options": [{"code": "x", "label": "X"}, {"code": "y", "label": "Y"}]}
        ],
    }
    with pytest.raises(CaseAuditError):
        parse_case_audit({**raw, **change})
