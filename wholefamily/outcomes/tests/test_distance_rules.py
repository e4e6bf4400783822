"""Distance travelled as pure rules: the Appendix D definition, time points, movement, missing scores, radar."""

from __future__ import annotations

from pathlib import Path

import pytest

from wholefamily.domain.outcomes import distance, radar
from wholefamily.domain.outcomes.distance import FAMILY, Movement, Subject

DEFINITION = Path(__file__).resolve().parents[3] / "definitions" / "distance-travelled" / "appendix-d.yaml"


@pytest.fixture(scope="module")
def definition() -> distance.DistanceDefinition:
    return distance.load_definition(DEFINITION)


def test_appendix_d_profiles_and_items(definition):
    assert definition.key == "appendix_d@1"
    assert [p.code for p in definition.profiles] == ["family", "child", "parent"]
    assert [len(p.items) for p in definition.profiles] == [4, 12, 6]
    assert [level.level for level in definition.scale] == [
        "None",
        "Minor",
        "Moderate",
        "Significant",
        "Critical or complex",
    ]
    # Our own plain wording for families, not a licensed tool's scale.
    assert all(level.family_wording and level.family_wording != level.level for level in definition.scale)
    assert definition.profile_for("child").code == "child"
    assert definition.profile_for("young_person").code == "child"
    assert definition.profile_for("parenting_adult").code == "parent"
    assert definition.profile_for("other_adult") is None
    assert {item.group for item in definition.profile_for("child").items} == {"", "Health", "Learning"}
    appendix_d = "Commissioning for Families with Complex Needs Appendix D"
    assert all(p.source.startswith(appendix_d) for p in definition.profiles)
    assert {c.topic for c in definition.choices} >= {
        "Items not scored at a time point",
        "Scores that rise after the baseline",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scale": [{"score": 1, "level": "a", "family_wording": "b"}]}, "scale: scores 1 to 5"),
        ({"assessors": []}, "assessors"),
        ({"source": []}, "source is required"),
    ],
)
def test_malformed_definitions_are_refused(definition, change, message):
    import yaml

    raw = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    raw.update(change)
    with pytest.raises(distance.DistanceDefinitionError, match=message):
        distance.parse_definition(raw)


def test_a_role_on_two_profiles_and_duplicate_items_are_refused():
    import yaml

    raw = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    raw["profiles"][2]["applies_to"] = ["parenting_adult", "child"]
    with pytest.raises(distance.DistanceDefinitionError, match="more than one profile"):
        distance.parse_definition(raw)
    raw = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    raw["profiles"][2]["items"].append({"code": "housing", "label": "Housing again"})
    with pytest.raises(distance.DistanceDefinitionError, match="duplicate"):
        distance.parse_definition(raw)


@pytest.mark.parametrize(
    ("index", "code", "label"),
    [(0, "B", "Baseline"), (1, "R1", "Review 1"), (2, "R2", "Review 2"), (10, "R10", "Review 10")],
)
def test_time_points(index, code, label):
    assert distance.time_point_code(index) == code
    assert distance.time_point_label(index) == label


@pytest.mark.parametrize(
    ("baseline", "score", "time_point", "expected"),
    [
        (4, 4, 0, Movement.NOT_SCORED),  # the baseline itself is not a change
        (4, 2, 1, Movement.LESS_NEED),
        (4, 4, 1, Movement.NO_CHANGE),
        # a rise at the first review: expected (Commissioning for Families with Complex Needs, s2.4)
        (3, 5, 1, Movement.MORE_NEED_FOUND),
        (3, 4, 2, Movement.MORE_NEED),  # a rise later is not explained away
        (None, 2, 1, Movement.NOT_SCORED),  # no baseline: unknown, never progress
        (3, None, 2, Movement.NOT_SCORED),
    ],
)
def test_movement(baseline, score, time_point, expected):
    assert distance.movement(baseline, score, time_point=time_point) is expected


def test_distance_and_means_treat_missing_as_missing():
    assert distance.distance_travelled(5, 2) == 3
    assert distance.distance_travelled(2, 4) == -2
    assert distance.distance_travelled(None, 2) is None
    assert distance.distance_travelled(3, None) is None
    assert distance.mean_score([2, None, 4]) == 3
    assert distance.mean_score([None, None]) is None  # not 0, not "no need"


def test_check_scores(definition):
    subjects = [
        Subject(FAMILY, "The family", FAMILY),
        Subject("7", "Jo", "child"),
        Subject("8", "Pat", "parenting_adult"),
    ]
    distance.check_scores(
        definition, subjects, {(FAMILY, "housing"): 3, ("7", "aspirations"): 1, ("8", "drug_alcohol_use"): 5}
    )
    for scores, message in [
        ({}, "at least one"),
        ({("8", "aspirations"): 2}, "not an item of Pat"),
        ({(FAMILY, "aspirations"): 2}, "not an item of The family"),
        ({("9", "housing"): 2}, "not the family or one of its current members"),
        ({(FAMILY, "housing"): 6}, "1 to 5"),
        ({(FAMILY, "housing"): 0}, "1 to 5"),
    ]:
        with pytest.raises(distance.ScoreError, match=message):
            distance.check_scores(definition, subjects, scores)


def test_radar_closed_shape_when_all_scored_and_broken_line_when_one_is_missing():
    labels = ["Housing", "Income", "Relationships", "Community"]
    chart = radar.radar(labels, [("Baseline", [5, 5, 5, 5]), ("Review 1", [1, None, 3, 2])], size=200, margin=50)
    baseline, review = chart.series
    assert baseline.is_closed and len(baseline.lines) == 1 and len(baseline.markers) == 4
    # The top axis at score 5 is at the full radius straight above the centre.
    assert baseline.markers[0].at.x == pytest.approx(chart.centre.x)
    assert baseline.markers[0].at.y == pytest.approx(chart.centre.y - 100)
    # Score 1 sits at a fifth of the radius, not at the centre.
    assert review.markers[0].at.y == pytest.approx(chart.centre.y - 20)
    # The missing "Income" breaks the shape: one run Relationships-Community-Housing, never through the centre.
    assert not review.is_closed and len(review.lines) == 1 and len(review.lines[0].split()) == 3
    assert [m.score for m in review.markers] == [1, 3, 2]
    assert review.markers[0].label == "Housing at Review 1: 1"
    assert baseline.dash != review.dash and baseline.colour != review.colour  # not by colour alone
    assert [ring.score for ring in chart.rings] == [1, 2, 3, 4, 5]


def test_radar_needs_three_axes_and_one_score_per_axis():
    with pytest.raises(ValueError, match="three axes"):
        radar.radar(["a", "b"], [])
    with pytest.raises(ValueError, match="3 scores for 4 axes"):
        radar.radar(["a", "b", "c", "d"], [("B", [1, 2, 3])])


def test_labels_wrap_into_short_lines():
    assert radar.wrap("Participation in learning, education or work") == (
        "Participation in",
        "learning,",
        "education or",
        "work",
    )
