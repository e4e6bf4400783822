"""The impact analysis recovers the effect the synthetic county planted, and finds none where none was planted.

The generator drops each problem a worked-with family would have had, each term from the first full term after its
start, with probability `effect_size` (truth: worked_with.parquet, family_terms.parquet with the problems each family
would have had without the work). Domestic abuse leaves an exact trace in the agency data (an incident on a member
aged 16 or over in every term the family has the problem, none otherwise), so the planted effect on the outcome
"domestic abuse incident in the term" is known exactly for the matched worked-with families: the mean, over their
terms 1..3 after the start, of having the problem less would-have-had it. The estimate's 95% interval must hold it;
on a county generated with no effect, the interval must hold zero.

The analysis reads a perfect-linkage snapshot of the county (every record linked to its true person), so that the
test judges the estimator and the panel, not the linkage. Comparison families: the other families that met the 2015
criteria at the reference date (the truth's family_terms cohort), compared from start dates drawn from the
worked-with families' starts (services.families_for).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from django.conf import settings

from wholefamily.domain.contract import load_contract_set
from wholefamily.identification.engine.perfect import build_perfect_snapshot
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.impact.engine.panel import shifted, term_bounds, term_of
from wholefamily.impact.services import analyse, families_for
from wholefamily.synth.generator import Parameters, generate

pytestmark = pytest.mark.slow

POPULATION = 60_000


def _county(out: Path, effect_size: float) -> Path:
    generate(
        Parameters(population=POPULATION, seed=3, start="2013-09-01", years=5, effect_size=effect_size),
        out,
        definitions_dir=Path(settings.DEFINITIONS_DIR),
    )
    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    build_perfect_snapshot(out, out / "snapshot", contracts=contracts, as_of=dt.date(2015, 8, 31))
    return out


def _analyse(county: Path):
    worked = {
        f"H{row['household_id']}": row["start_on"]
        for row in pq.read_table(county / "truth" / "worked_with.parquet").to_pylist()
    }
    cohort = pq.read_table(county / "truth" / "family_terms.parquet", columns=["household_id"]).column(0)
    pool = sorted({f"H{household}" for household in cohort.to_pylist()})
    return analyse(Snapshot.open(county / "snapshot"), families_for(worked, pool, seed=0)), worked


def planted(county: Path, worked: dict[str, dt.date], matched: set[str], problem: str) -> float:
    """The true effect on the matched worked-with families: having the problem less would-have-had it, terms 1..3."""
    terms = pq.read_table(county / "truth" / "family_terms.parquet").to_pylist()
    by_term = {(f"H{row['household_id']}", row["term_start_on"]): row for row in terms}
    differences = []
    for household in sorted(matched):
        year, term = term_of(worked[household])
        for k in (1, 2, 3):
            row = by_term[(household, term_bounds(*shifted(year, term, k))[0])]
            has = problem in (row["problems"] or "").split(";")
            would = problem in (row["problems_without_work"] or "").split(";")
            differences.append(int(has) - int(would))
    return float(np.mean(differences))


def test_the_planted_effect_is_recovered_within_its_interval(tmp_path):
    county = _county(tmp_path / "county", effect_size=0.3)
    result, worked = _analyse(county)
    matched = {treated for treated, _ in result.matched_pairs}
    truth = planted(county, worked, matched, "domestic_abuse")
    effect = next(effect for effect in result.effects if effect.outcome == "domestic_abuse")
    print(f"planted {truth:+.3f}; recovered {effect.estimate:+.3f} (95% CI {effect.low:+.3f} to {effect.high:+.3f})")
    assert result.matched >= 100
    assert truth < -0.05  # the effect is there to find
    assert effect.low <= truth <= effect.high
    assert effect.high < 0  # and it is found
    # Balance: matching leaves every feature's standardised difference small.
    assert all(abs(item.after) < 0.25 for item in result.balance)


def test_no_planted_effect_gives_an_interval_holding_zero(tmp_path):
    county = _county(tmp_path / "county", effect_size=0.0)
    result, worked = _analyse(county)
    matched = {treated for treated, _ in result.matched_pairs}
    assert planted(county, worked, matched, "domestic_abuse") == 0
    for code in ("domestic_abuse", "absence", "offending"):
        effect = next(effect for effect in result.effects if effect.outcome == code)
        print(f"{code}: {effect.estimate:+.3f} (95% CI {effect.low:+.3f} to {effect.high:+.3f})")
        assert effect.low <= 0 <= effect.high
