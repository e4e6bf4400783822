"""The definition check: every indicator that can make a family qualify has a measure of progress (an outcome measure
naming it, or for tf-2012 a results condition naming it), for every shipped programme with results rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from wholefamily.domain.claims.rules import load_results_rules, parse_results_rules
from wholefamily.domain.claims.rules import unmeasured_indicators as unjudged_by_conditions
from wholefamily.domain.criteria.schema import DefinitionError, load_programmes
from wholefamily.domain.outcomes.framework import (
    check_against_programme,
    load_framework,
    parse_framework,
    unmeasured_indicators,
)

PROGRAMMES = Path(settings.PROGRAMMES_DIR)


# --- the definition check ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["tf-2015", "supporting-families-2022"])
def test_every_indicator_of_a_shipped_programme_has_a_progress_measure(code):
    framework = load_framework(PROGRAMMES / "outcomes" / f"{code}.yaml")
    programme = load_programmes(PROGRAMMES)[code]
    assert unmeasured_indicators(framework, programme) == []
    check_against_programme(framework, programme)


@pytest.mark.parametrize("code", sorted(path.stem for path in (PROGRAMMES / "results").glob("*.yaml")))
def test_every_shipped_programme_with_results_rules_judges_every_indicator(code):
    """Through its results conditions, or (sustained progress) through its outcomes framework's measures."""
    rules = load_results_rules(PROGRAMMES / "results" / f"{code}.yaml")
    programme = load_programmes(PROGRAMMES)[rules.programme]
    assert unjudged_by_conditions(rules, programme) == []
    if rules.framework:
        assert (
            unmeasured_indicators(load_framework(PROGRAMMES / "outcomes" / f"{rules.framework}.yaml"), programme) == []
        )


def test_every_indicator_of_tf_2012_has_a_results_condition():
    rules = load_results_rules(PROGRAMMES / "results" / "tf-2012.yaml")
    assert unjudged_by_conditions(rules, load_programmes(PROGRAMMES)["tf-2012"]) == []


def test_a_framework_leaving_an_indicator_without_a_measure_is_refused():
    raw = yaml.safe_load((PROGRAMMES / "outcomes" / "tf-2015.yaml").read_text(encoding="utf-8"))
    raw["outcome_measures"] = [m for m in raw["outcome_measures"] if m["code"] != "exclusions_below_3"]
    framework = parse_framework(raw)
    with pytest.raises(DefinitionError, match=r"no outcome measure judges progress on the indicators"):
        check_against_programme(framework, load_programmes(PROGRAMMES)["tf-2015"])
    assert unmeasured_indicators(framework, load_programmes(PROGRAMMES)["tf-2015"]) == ["fixed_term_exclusions"]


def test_a_measure_naming_an_unknown_indicator_is_refused():
    raw = yaml.safe_load((PROGRAMMES / "outcomes" / "tf-2015.yaml").read_text(encoding="utf-8"))
    raw["outcome_measures"][0]["indicators"] = ["no_such_indicator"]
    with pytest.raises(DefinitionError, match="not indicators of tf-2015"):
        check_against_programme(parse_framework(raw), load_programmes(PROGRAMMES)["tf-2015"])


def test_a_tf_2012_condition_leaving_an_indicator_out_is_found():
    raw = yaml.safe_load((PROGRAMMES / "results" / "tf-2012.yaml").read_text(encoding="utf-8"))
    for condition in raw["conditions"]:
        condition["indicators"] = [code for code in condition.get("indicators", []) if code != "asb_order"]
    rules = parse_results_rules(raw)
    assert unjudged_by_conditions(rules, load_programmes(PROGRAMMES)["tf-2012"]) == ["asb_order"]
