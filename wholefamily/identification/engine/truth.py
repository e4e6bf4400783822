"""Agreement of an evaluation with the synthetic county's truth-side eligibility (perfect-linkage snapshots).

The generator's evaluator (wholefamily/synth/eligibility.py) writes `truth/eligibility.parquet`: per household and
date, whether it meets "tf2012" (all three 2012 criteria) or "tf2015" (two or more of six problems), and which
problems it has. On a perfect-linkage snapshot a family id is "H" + the true household id, so families compare
one to one; every disagreement is listed with the problems on each side, so that it can be explained.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from wholefamily.identification.engine.evaluate import Evaluation

# Our programme and route that correspond to the generator's programme names.
TRUTH_PROGRAMMES = {"tf-2015": ("tf2015", None), "tf-2012": ("tf2012", "all_three")}
TF2012_PROBLEMS = ("crime", "education", "work")
NO_LINKAGE_ERROR = "no split, merge or wrong link found: membership dates or a rule read differently"


@dataclass
class Disagreement:
    family_id: str
    engine_qualifies: bool
    truth_qualifies: bool
    engine_problems: tuple[str, ...]
    truth_problems: tuple[str, ...]
    engine_indicators: tuple[str, ...] = ()

    @property
    def differing_problems(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.engine_problems) ^ set(self.truth_problems)))


@dataclass
class Agreement:
    programme: str
    as_of: dt.date
    families: int
    agreeing: int
    engine_qualifying: int
    truth_qualifying: int
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.agreeing / self.families if self.families else 1.0

    def report(self) -> str:
        lines = [
            f"{self.programme} as of {self.as_of}: {self.agreeing:,} of {self.families:,} families agree "
            f"({self.share:.2%}); qualifying: engine {self.engine_qualifying:,}, truth {self.truth_qualifying:,}"
        ]
        by_problem: dict[str, int] = {}
        for item in self.disagreements:
            for problem in item.differing_problems:
                by_problem[problem] = by_problem.get(problem, 0) + 1
        if by_problem:
            lines.append("  disagreements by problem read differently: " + ", ".join(
                f"{problem} {count}" for problem, count in sorted(by_problem.items())))  # fmt: skip
        for item in self.disagreements[:40]:
            lines.append(
                f"  {item.family_id}: engine {'qualifies' if item.engine_qualifies else 'does not qualify'} "
                f"({';'.join(item.engine_problems) or '-'}), truth "
                f"{'qualifies' if item.truth_qualifies else 'does not'} ({';'.join(item.truth_problems) or '-'}); "
                f"engine indicators or linkage errors: {', '.join(item.engine_indicators) or '-'}"
            )
        return "\n".join(lines)


def compare_with_truth(evaluation: Evaluation, truth_dir: Path) -> Agreement:
    programme = evaluation.plan.programme.code
    truth_name, route = TRUTH_PROGRAMMES[programme]
    as_of = evaluation.plan.as_of
    table = pq.read_table(truth_dir / "eligibility.parquet")
    table = table.filter(pc.and_(pc.equal(table.column("programme"), truth_name),
                                 pc.equal(table.column("evaluated_on"), as_of)))  # fmt: skip
    if table.num_rows == 0:
        raise ValueError(f"the truth has no {truth_name} eligibility on {as_of}")
    truth = {
        f"H{row['household_id']}": (bool(row["is_eligible"]), tuple(p for p in (row["problems"] or "").split(";") if p))
        for row in table.to_pylist()
    }
    families = evaluation.families.to_pylist()
    counted = TF2012_PROBLEMS if programme == "tf-2012" else evaluation.plan.programme.counted_problems
    agreement = Agreement(programme, as_of, len(families), 0, 0, sum(1 for value in truth.values() if value[0]))
    for row in families:
        qualifies = row["qualifying_route"] is not None and (route is None or row["qualifying_route"] == route)
        agreement.engine_qualifying += qualifies
        problems = tuple(code for code in counted if row[f"problem_{code}"] == 1)
        truth_qualifies, truth_problems = truth.get(row["family_id"], (False, ()))
        truth_problems = tuple(code for code in counted if code in truth_problems)
        if qualifies == truth_qualifies:
            agreement.agreeing += 1
        else:
            indicators = tuple(code for code in evaluation.plan.indicator_columns if row[code])
            agreement.disagreements.append(
                Disagreement(row["family_id"], qualifies, truth_qualifies, problems, truth_problems, indicators)
            )
    return agreement


def _majority(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """For (key, value) pairs, each key's most frequent value (ties: the smallest value)."""
    counts: dict[str, dict[str, int]] = {}
    for key, value in pairs:
        counts.setdefault(key, {})
        counts[key][value] = counts[key].get(value, 0) + 1
    return {key: min(values, key=lambda v: (-values[v], v)) for key, values in counts.items()}


def _true_households_on(truth_dir: Path, as_of: dt.date) -> dict[str, str]:
    """True person id ("T<n>") -> true household id ("H<n>") on the date."""
    out = {}
    for row in pq.read_table(truth_dir / "memberships.parquet").to_pylist():
        if row["start_on"] <= as_of and (row["end_on"] is None or row["end_on"] >= as_of):
            out[f"T{row['true_person_id']}"] = f"H{row['household_id']}"
    return out


def compare_linked_with_truth(evaluation: Evaluation, snapshot_dir: Path, truth_dir: Path) -> Agreement:
    """Agreement per true family when the snapshot comes from linkage; each disagreement lists the linkage errors
    around that family (members split over households, households merged, records linked to someone else)."""
    programme = evaluation.plan.programme.code
    truth_name, route = TRUTH_PROGRAMMES[programme]
    as_of = evaluation.plan.as_of
    table = pq.read_table(truth_dir / "eligibility.parquet")
    table = table.filter(pc.and_(pc.equal(table.column("programme"), truth_name),
                                 pc.equal(table.column("evaluated_on"), as_of)))  # fmt: skip
    truth = {f"H{row['household_id']}": bool(row["is_eligible"]) for row in table.to_pylist()}
    sources = pq.read_table(truth_dir / "source_records.parquet", columns=["source_kind", "source_record_id",
                                                                           "true_person_id"]).to_pylist()  # fmt: skip
    true_of_record = {(row["source_kind"], row["source_record_id"]): f"T{row['true_person_id']}" for row in sources}
    links = pq.read_table(snapshot_dir / "record_person.parquet", columns=["kind", "source_record_id", "person_id"])
    link_rows = links.to_pylist()
    person_truth = _majority(
        [(row["person_id"], true_of_record[(row["kind"], row["source_record_id"])]) for row in link_rows
         if (row["kind"], row["source_record_id"]) in true_of_record]
    )  # fmt: skip
    wrong_links: dict[str, int] = {}  # true person -> records linked to a person mostly someone else
    for row in link_rows:
        true_person = true_of_record.get((row["kind"], row["source_record_id"]))
        if true_person is not None and person_truth.get(row["person_id"]) != true_person:
            wrong_links[true_person] = wrong_links.get(true_person, 0) + 1
    true_household = _true_households_on(truth_dir, as_of)
    members: dict[str, set[str]] = {}
    for row in pq.read_table(snapshot_dir / "memberships.parquet").to_pylist():
        if (row["start_on"] is None or row["start_on"] <= as_of) and (row["end_on"] is None or row["end_on"] >= as_of):
            members.setdefault(row["household_id"], set()).add(row["person_id"])
    linked_to_true = {
        household: _majority([(household, true_household.get(person_truth.get(p, ""), "?")) for p in people])[household]
        for household, people in members.items()
    }
    families = evaluation.families.to_pylist()
    qualifying_true: set[str] = set()
    for row in families:
        qualifies = row["qualifying_route"] is not None and (route is None or row["qualifying_route"] == route)
        if qualifies:
            qualifying_true.add(linked_to_true.get(row["family_id"], "?"))
    evaluated_true = {linked_to_true.get(row["family_id"], "?") for row in families} | {
        h for h, e in truth.items() if e
    }
    agreement = Agreement(programme, as_of, len(evaluated_true), 0, len(qualifying_true), sum(truth.values()))
    true_members: dict[str, set[str]] = {}
    for person, household in true_household.items():
        true_members.setdefault(household, set()).add(person)
    for household in sorted(evaluated_true):
        engine_says, truth_says = household in qualifying_true, truth.get(household, False)
        if engine_says == truth_says:
            agreement.agreeing += 1
            continue
        people = true_members.get(household, set())
        linked_households = {h for h, m in members.items() if any(person_truth.get(p) in people for p in m)}
        strangers = sum(1 for h in linked_households for p in members[h] if person_truth.get(p) not in people)
        reasons = []
        if len(linked_households) > 1:
            reasons.append(f"members split over {len(linked_households)} linked households")
        if strangers:
            reasons.append(f"{strangers} people of other households linked in")
        wrong = sum(wrong_links.get(p, 0) for p in people)
        if wrong:
            reasons.append(f"{wrong} records of members linked to other people")
        linked_people = {p: t for p, t in person_truth.items() if t in people}
        unlinked = [p for p in people if p not in set(linked_people.values())]
        if unlinked:
            reasons.append(f"{len(unlinked)} members with no linked person")
        housed = {p for m in members.values() for p in m}
        not_housed = sorted({t for p, t in linked_people.items() if p not in housed} - set(unlinked))
        if not_housed:
            reasons.append(f"{len(not_housed)} members in no linked household on the date (membership dates)")
        agreement.disagreements.append(
            Disagreement(household, engine_says, truth_says, (), (), tuple(reasons) or (NO_LINKAGE_ERROR,))
        )
    return agreement
