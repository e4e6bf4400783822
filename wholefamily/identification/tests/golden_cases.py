"""Golden cases (golden/<programme>.yaml) laid out as one tiny county: each case is its own household."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.contract import ContractSet
from wholefamily.domain.criteria.schema import Programme
from wholefamily.identification.engine.evaluate import Evaluation, evaluate
from wholefamily.identification.tests.tiny_county import TinyCounty

GOLDEN_DIR = Path(__file__).parent / "golden"
DEFAULT_MEMBERS = ({"id": "c1", "dob": "2005-06-01"}, {"id": "a1", "dob": "1980-01-01"})


@dataclass(frozen=True)
class GoldenCase:
    programme: str
    as_of: dt.date
    number: int
    name: str
    spec: dict[str, Any]

    @property
    def household(self) -> str:
        return f"H{self.number:03d}"

    def person(self, alias: str) -> str:
        return f"{self.household}-{alias}"

    def __str__(self) -> str:
        return f"{self.programme}: {self.name}"


def load_cases(programme: str) -> list[GoldenCase]:
    raw = yaml.safe_load((GOLDEN_DIR / f"{programme}.yaml").read_text(encoding="utf-8"))
    as_of = raw["as_of"]
    return [
        GoldenCase(programme, case.get("as_of", as_of), number, case["name"], case)
        for number, case in enumerate(raw["cases"], start=1)
    ]


def build_county(cases: list[GoldenCase], directory: Path, contracts: ContractSet) -> TinyCounty:
    county = TinyCounty(directory, contracts)
    for case in cases:
        for member in case.spec.get("members", DEFAULT_MEMBERS):
            county.member(
                case.person(member["id"]),
                dob=member["dob"],
                household=case.household,
                start_on=member.get("start_on", "2000-01-01"),
                end_on=member.get("end_on"),
            )
        for record in case.spec.get("records", ()):
            fields = {key: value for key, value in record.items() if key not in {"kind", "person"}}
            county.record(record["kind"], case.person(record["person"]), **fields)
        for judgement in case.spec.get("judgements", ()):
            county.judgement(
                case.programme,
                judgement["indicator"],
                person_id=case.person(judgement["person"]) if "person" in judgement else None,
                household_id=case.household if judgement.get("household") else None,
                entered_on=judgement.get("entered_on", "2015-01-01"),
                withdrawn_on=judgement.get("withdrawn_on"),
            )
    return county


def evaluate_cases(
    programme: Programme, cases: list[GoldenCase], directory: Path, contracts: ContractSet, engine: str = "duckdb"
) -> Evaluation:
    as_of = {case.as_of for case in cases}
    assert len(as_of) == 1, "one as-of date per golden file"
    snapshot = build_county(cases, directory, contracts).snapshot()
    return evaluate(programme, as_of=as_of.pop(), snapshot=snapshot, contracts=contracts, engine=engine)


def check_case(case: GoldenCase, programme: Programme, rows: dict[str, dict[str, Any]]) -> list[str]:
    """What differs between the case's expectation and the evaluated family row (empty when it holds)."""
    expect = case.spec.get("expect", {})
    row = rows.get(case.household)
    if expect.get("is_family", True) is False:
        return [] if row is None else [f"{case.household} should not be a family"]
    if row is None:
        return [f"{case.household} is not a family"]
    problems = []
    met = {indicator.code for indicator in programme.indicators if row[indicator.code] == 1}
    if "indicators" in expect and met != set(expect["indicators"]):
        problems.append(f"indicators met {sorted(met)}, expected {sorted(expect['indicators'])}")
    problems_met = {problem.code for problem in programme.problems if row[f"problem_{problem.code}"] == 1}
    if "problems" in expect and problems_met != set(expect["problems"]):
        problems.append(f"problems met {sorted(problems_met)}, expected {sorted(expect['problems'])}")
    if "problem_count" in expect and row["problem_count"] != expect["problem_count"]:
        problems.append(f"problem count {row['problem_count']}, expected {expect['problem_count']}")
    if "route" in expect and row["qualifying_route"] != expect["route"]:
        problems.append(f"route {row['qualifying_route']!r}, expected {expect['route']!r}")
    return problems
