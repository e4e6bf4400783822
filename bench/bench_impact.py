"""Benchmark: the impact analysis and the savings of a generated county; prints the time of each step.

Generates a synthetic county (default 200,000 residents), writes its perfect-linkage snapshot, then runs the impact
analysis (the family-by-term panel over the snapshot with DuckDB, propensity score and matching with scikit-learn,
difference in differences with statsmodels) and the costed savings of the worked-with families, and prints the
figures. Generation and the snapshot are timed apart from the analysis. Figures are printed, not judged.

    .venv/bin/python bench/bench_impact.py [--population 200000] [--seed 11] [--keep DIR]
    .venv/bin/python bench/bench_impact.py --county /work/data-1m   # a county already generated (wholefamily synth)

With `--county`, generation is skipped and the snapshot is built in DIR/snapshot once (kept for the next run). The
indirect impact indicators (the programme's families against the county) are timed too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, default=None, help="Generate into this folder and keep it.")
    parser.add_argument("--county", type=Path, default=None, help="A county already generated: skip generating.")
    args = parser.parse_args()

    import django

    django.setup()
    import pyarrow.parquet as pq
    from django.conf import settings

    from wholefamily.domain.contract import load_contract_set
    from wholefamily.identification.engine.perfect import build_perfect_snapshot
    from wholefamily.identification.engine.snapshot import Snapshot
    from wholefamily.impact.engine.indirect import indirect_counts, load_indicators
    from wholefamily.impact.engine.savings import cost_savings, load_unit_costs, service_use
    from wholefamily.impact.services import analyse, families_for, unit_costs_path
    from wholefamily.synth.generator import Parameters, generate

    definitions = Path(settings.DEFINITIONS_DIR)
    contracts = load_contract_set(definitions)
    with tempfile.TemporaryDirectory() as scratch:
        county = args.county or args.keep or Path(scratch) / "county"
        began = time.perf_counter()
        if args.county is None:
            generate(
                Parameters(population=args.population, seed=args.seed, start="2013-09-01", years=5),
                county,
                definitions_dir=definitions,
            )
        manifest = json.loads((county / "manifest.json").read_text(encoding="utf-8"))
        generated = time.perf_counter()
        if not (county / "snapshot" / "persons.parquet").exists():
            build_perfect_snapshot(county, county / "snapshot", contracts=contracts, as_of=dt.date(2015, 8, 31))
        linked = time.perf_counter()
        worked = {
            f"H{row['household_id']}": row["start_on"]
            for row in pq.read_table(county / "truth" / "worked_with.parquet").to_pylist()
        }
        cohort = pq.read_table(county / "truth" / "family_terms.parquet", columns=["household_id"]).column(0)
        pool = sorted({f"H{household}" for household in cohort.to_pylist()})
        snapshot = Snapshot.open(county / "snapshot")
        start = time.perf_counter()
        result = analyse(snapshot, families_for(worked, pool, seed=0))
        analysed = time.perf_counter()
        costs = load_unit_costs(unit_costs_path())
        savings = cost_savings(service_use(snapshot, worked, costs, contracts=contracts), costs)
        costed = time.perf_counter()
        indicators = load_indicators(definitions / "reporting" / "indirect-impact.yaml", contracts)
        counted = indirect_counts(snapshot, sorted(worked), window_end=dt.date(2016, 3, 31), indicators=indicators,
                                  contracts=contracts)  # fmt: skip
        indirect = time.perf_counter()

    print(f"county: {manifest['residents_at_reference']:,} residents at the reference date, "
          f"{result.worked_with:,} worked-with families, {result.pool:,} in the comparison pool")  # fmt: skip
    print(f"generate {generated - began:.1f}s, perfect-linkage snapshot {linked - generated:.1f}s")
    print(f"impact analysis {analysed - start:.1f}s (matched {result.matched:,}, {result.comparison_used:,} comparison "
          f"families used); savings {costed - analysed:.1f}s ({savings.families:,} families costed)")  # fmt: skip
    print(f"indirect impact indicators {indirect - costed:.1f}s ({len(counted)} indicators, "
          f"{counted[0].county_group:,} pupils in the county)")  # fmt: skip
    print(f"total analysis (impact + savings + indicators) {indirect - start:.1f}s = {(indirect - start) / 60:.1f} min")
    for effect in result.effects:
        print(f"  {effect.outcome}: {effect.estimate:+.3f} (95% CI {effect.low:+.3f} to {effect.high:+.3f})")


if __name__ == "__main__":
    main()
