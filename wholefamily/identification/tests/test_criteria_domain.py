"""Pure criteria logic: window arithmetic, ages, and definition validation (no database, no engine)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.criteria.schema import DefinitionError, load_programmes, parse_programme
from wholefamily.domain.criteria.sql import build_plan
from wholefamily.domain.criteria.windows import (
    MonthsWindow,
    TermCalendar,
    TermsWindow,
    birth_date_cutoff,
    months_before,
)

D = dt.date


@pytest.mark.parametrize(
    ("value", "months", "expected"),
    [
        (D(2015, 4, 1), 12, D(2014, 4, 1)),
        (D(2015, 3, 31), 1, D(2015, 2, 28)),
        (D(2016, 3, 31), 1, D(2016, 2, 29)),
        (D(2015, 1, 15), 1, D(2014, 12, 15)),
        (D(2016, 2, 29), 12, D(2015, 2, 28)),
    ],
)
def test_months_before(value, months, expected):
    assert months_before(value, months) == expected


def test_twelve_month_window_is_start_exclusive_end_inclusive():
    assert MonthsWindow(12).bounds(D(2015, 4, 1)) == (D(2014, 4, 2), D(2015, 4, 1))


@pytest.mark.parametrize(
    ("as_of", "age", "cutoff"),
    [(D(2015, 4, 1), 18, D(1997, 4, 1)), (D(2018, 2, 28), 18, D(2000, 2, 28)), (D(2018, 3, 1), 18, D(2000, 3, 1))],
)
def test_birth_date_cutoff(as_of, age, cutoff):
    assert birth_date_cutoff(as_of, age) == cutoff


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2015, 4, 1), [(2013, "spring"), (2013, "summer"), (2014, "autumn")]),
        (D(2015, 4, 30), [(2013, "summer"), (2014, "autumn"), (2014, "spring")]),
        (D(2015, 8, 31), [(2014, "autumn"), (2014, "spring"), (2014, "summer")]),
        (D(2015, 9, 1), [(2014, "autumn"), (2014, "spring"), (2014, "summer")]),
        (D(2014, 12, 31), [(2013, "spring"), (2013, "summer"), (2014, "autumn")]),
    ],
)
def test_last_three_completed_terms(as_of, expected):
    terms = TermsWindow(3).term_list(as_of, TermCalendar())
    assert [(term.academic_year, term.code) for term in terms] == expected
    assert all(term.end_on <= as_of for term in terms)


def test_terms_window_bounds_run_from_first_term_start_to_last_term_end():
    assert TermsWindow(3).bounds(D(2015, 4, 1), TermCalendar()) == (D(2014, 1, 1), D(2014, 12, 31))


def _minimal() -> dict:
    return {
        "programme": "demo",
        "version": 1,
        "title": "Demo",
        "source": ["a source"],
        "effective_from": "2015-04-01",
        "family": {"description": "with children"},
        "problems": [{"code": "work", "label": "Work", "source": "s"}],
        "indicators": [
            {
                "code": "on_benefit",
                "problem": "work",
                "label": "On benefit",
                "source": "s",
                "rule": "spell",
                "subject": "adult",
                "kind": "benefits",
                "date_column": "start_on",
                "end_column": "end_on",
            }
        ],
        "routes": [{"code": "one", "label": "One", "min_problems": 1}],
    }


def test_minimal_definition_parses():
    programme = parse_programme(_minimal())
    assert programme.label == "demo v1"
    assert programme.is_effective_on(D(2015, 4, 1)) and not programme.is_effective_on(D(2015, 3, 31))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["indicators"][0].pop("source"), "'source' is required"),
        (lambda raw: raw["indicators"][0].update(problem="crime"), "unknown problem"),
        (lambda raw: raw["indicators"][0].update(rule="guess"), "rule is one of"),
        (lambda raw: raw["indicators"][0].update(window={"weeks": 2}), "window is one of"),
        (lambda raw: raw["indicators"][0].update(where=[{"column": "benefit_type", "in": "nowhere"}]), "unknown list"),
        (lambda raw: raw["routes"][0].update(of=["crime"]), "unknown problem"),
        (lambda raw: raw.update(effective_to="2015-01-01"), "effective_to is before"),
        (lambda raw: raw["problems"].append({"code": "health", "label": "H", "source": "s"}), "no indicators"),
        (lambda raw: raw["indicators"][0].update(subject={"min_age": 20, "max_age": 10}), "min_age is above"),
        (lambda raw: raw["indicators"][0].update(code="Bad Code"), "is not a code"),
        (lambda raw: raw["indicators"][0].update(where=[{"column": "benefit_type", "in": ["J'SA"]}]), "plain code"),
    ],
)
def test_invalid_definitions_are_refused(change, message):
    raw = _minimal()
    change(raw)
    with pytest.raises(DefinitionError, match=message):
        parse_programme(raw)


def test_definition_checked_against_the_contract():
    raw = _minimal()
    raw["indicators"][0]["end_column"] = "finished_on"
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    with pytest.raises(DefinitionError, match="no columns"):
        build_plan(parse_programme(raw), as_of=D(2015, 4, 1), contracts=contracts)


def test_shipped_definitions_cite_sources_and_effective_dates():
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    programmes = load_programmes(Path(settings.PROGRAMMES_DIR))
    assert set(programmes) == {"tf-2012", "tf-2015", "supporting-families-2022", "families-first-local"}
    for programme in programmes.values():
        assert programme.sources and programme.effective_from
        assert all(indicator.source for indicator in programme.indicators)
        assert programme.choices, f"{programme.code} states no choices"
        build_plan(programme, as_of=programme.effective_from, contracts=contracts)


def test_tf_2015_has_every_appendix_1_indicator():
    raw = yaml.safe_load((Path(settings.PROGRAMMES_DIR) / "tf-2015.yaml").read_text())
    per_problem = {}
    for indicator in raw["indicators"]:
        per_problem[indicator["problem"]] = per_problem.get(indicator["problem"], 0) + 1
    # Together for Families update (Cambridgeshire, 2014), Appendix 1 lists 6, 6, 6, 5, 3 and 4 indicators under the six
    # headline problems
    assert per_problem == {"crime": 6, "education": 6, "need_help": 6, "work": 5, "domestic_abuse": 3, "health": 4}
