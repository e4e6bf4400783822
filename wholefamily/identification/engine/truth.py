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
                f"engine indicators: {', '.join(item.engine_indicators) or '-'}"
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
