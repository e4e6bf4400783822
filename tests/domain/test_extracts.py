"""Extract definitions and their rows, written from the returns' own text at their edges: a family never found by an
identification run has its problems not known (never "N"); a filter that is not a headline problem has no column and
is not counted; money in pounds with pence; a definition that names an unknown field, names a column twice, or
gives yes and no the same code is refused with where it is wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from wholefamily.domain.extracts import (
    ExtractDefinitionError,
    FamilyFacts,
    Problem,
    load_extract,
    load_extracts,
    parse_extract,
)

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "definitions" / "extracts"
PROBLEMS = [Problem("crime", "Crime"), Problem("education", "Education"), Problem("work", "Work")]


def _programme_problems(code: str) -> list[Problem]:
    raw = yaml.safe_load((ROOT / "programmes" / f"{code}.yaml").read_text())
    return [Problem(p["code"], p["label"]) for p in raw["problems"] if p.get("is_counted", True)]


def _minimal(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "extract": "test-return",
        "version": 1,
        "title": "A test return",
        "programme": "tf-2012",
        "source": ["Troubled Families Financial Framework (2012)"],
        "columns": [
            {"name": "family_reference", "field": "case.reference"},
            {"name": "problems", "field": "identification.problem_count"},
            {"name": "problem_{problem}", "field": "identification.problem", "for_each_problem": True},
            {"name": "outcome_{problem}", "field": "outcomes.problem", "for_each_problem": True},
            {"name": "attached_on", "field": "case.attached_on"},
            {"name": "claim_amount", "field": "claim.amount"},
            {"name": "results", "field": "claim.results"},
        ],
    }
    raw.update(overrides)
    return raw


def test_every_shipped_definition_loads_cites_a_source_and_names_its_programmes_problems() -> None:
    definitions = load_extracts(FOLDER)
    assert set(definitions) == {
        "tf-2012-family-results",
        "tf-2015-family-progress",
        "supporting-families-2022-family-outcomes",
    }
    for definition in definitions.values():
        assert definition.source and definition.choices and definition.unit
        problems = _programme_problems(definition.programme)
        names = [column.name for column in definition.columns(problems)]
        assert names[0] == "family_reference"
        for problem in problems:
            assert any(name.endswith(f"_{problem.code}") for name in names), (definition.code, problem.code)
    tf2015 = definitions["tf-2015-family-progress"].columns(_programme_problems("tf-2015"))
    assert [c.name for c in tf2015 if c.name.startswith("problem_")] == [
        "problem_crime", "problem_education", "problem_need_help", "problem_work", "problem_domestic_abuse",
        "problem_health",
    ]  # fmt: skip
    assert next(c.name for c in tf2015 if c.name.startswith("outcome_")) == "outcome_crime"


def test_the_2012_local_discretion_filter_is_not_a_headline_problem_and_has_no_column() -> None:
    definition = load_extract(FOLDER / "tf-2012-family-results.yaml")
    problems = _programme_problems("tf-2012")
    names = [c.name for c in definition.columns(problems)]
    assert "criterion_local_concern" not in names
    assert [n for n in names if n.startswith("criterion_")] == [
        "criterion_crime",
        "criterion_education",
        "criterion_work",
    ]
    found = FamilyFacts("F-1", problems_at_identification=frozenset({"crime", "work", "local_concern"}))
    row = dict(zip(names, definition.row(found, definition.columns(problems), problems), strict=True))
    assert row["criteria_met"] == "2"  # two of three: the filter is not counted
    assert (row["criterion_crime"], row["criterion_education"], row["criterion_work"]) == ("Y", "N", "Y")


def test_a_family_no_run_found_has_its_problems_not_known_never_no() -> None:
    definition = parse_extract(_minimal())
    columns = definition.columns(PROBLEMS)
    referred = FamilyFacts("F-2", route_in="referral", attached_on=dt.date(2015, 4, 1))
    row = dict(zip([c.name for c in columns], definition.row(referred, columns, PROBLEMS), strict=True))
    assert row["problems"] == "" and row["problem_crime"] == "" and row["outcome_work"] == ""
    none_found = FamilyFacts("F-3", problems_at_identification=frozenset())
    row = dict(zip([c.name for c in columns], definition.row(none_found, columns, PROBLEMS), strict=True))
    assert row["problems"] == "0" and row["problem_crime"] == "N"


def test_values_are_written_as_the_return_says() -> None:
    definition = parse_extract(_minimal(codes={"yes": "1", "no": "0", "not_known": "NK"}))
    columns = definition.columns(PROBLEMS)
    facts = FamilyFacts(
        "F-4",
        attached_on=dt.date(2015, 2, 28),
        problems_at_identification=frozenset({"education"}),
        outcome_by_problem={"education": "achieved", "crime": "not_applicable"},
        claim_results=("education", "crime_asb"),
        claim_amount_pence=80_050,
    )
    row = dict(zip([c.name for c in columns], definition.row(facts, columns, PROBLEMS), strict=True))
    assert row["attached_on"] == "2015-02-28"
    assert (row["problem_education"], row["problem_crime"]) == ("1", "0")
    assert (row["outcome_education"], row["outcome_crime"], row["outcome_work"]) == ("achieved", "not_applicable", "NK")
    assert row["claim_amount"] == "800.50"
    assert row["results"] == "education crime_asb"
    assert (
        dict(zip([c.name for c in columns], definition.row(FamilyFacts("F-5"), columns, PROBLEMS), strict=True))[
            "claim_amount"
        ]
        == "NK"
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"columns": [{"name": "x", "field": "case.surname"}]}, "no field 'case.surname'"),
        ({"columns": [{"name": "x", "field": "case.reference"}, {"name": "x", "field": "case.stage"}]}, "named twice"),
        ({"columns": [{"name": "p", "field": "identification.problem", "for_each_problem": True}]}, "{problem}"),
        (
            {"columns": [{"name": "p_{problem}", "field": "case.stage", "for_each_problem": True}]},
            "not a field of a problem",
        ),
        ({"columns": [{"name": "Family Ref", "field": "case.reference"}]}, "lower case words"),
        ({"source": []}, "source is required"),
        ({"codes": {"yes": "Y", "no": "Y"}}, "three different codes"),
        ({"version": 0}, "version from 1"),
        ({"extract": "../etc"}, "must be lower case"),
        ({"columns": []}, "at least one column"),
    ],
)
def test_a_wrong_definition_is_refused_with_where_it_is_wrong(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ExtractDefinitionError, match=None) as error:
        parse_extract(_minimal(**change))
    assert words in str(error.value)


def test_two_files_with_one_code_are_refused(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump(_minimal()))
    with pytest.raises(ExtractDefinitionError, match="defined twice"):
        load_extracts(tmp_path)
