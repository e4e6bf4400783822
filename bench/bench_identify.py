"""Benchmark: identification of a synthetic county on DuckDB (ADR 0005). Prints figures, not pass/fail.

    .venv/bin/python bench/bench_identify.py [--population 1000000] [--programme tf-2015] [--engine duckdb]
                                             [--county DIR] [--work DIR]

Generates the county (or reuses --county), builds the perfect-linkage snapshot, then evaluates the programme as of
the county's reference date in a child process, and prints wall seconds and the child's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

CHILD = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.criteria.schema import load_programme
from wholefamily.identification.engine.evaluate import evaluate
from wholefamily.identification.engine.snapshot import Snapshot
snapshot, programme, as_of, engine = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
contracts = load_contract_set(Path("definitions"))
definition = load_programme(Path("programmes") / f"{programme}.yaml")
started = time.perf_counter()
result = evaluate(definition, as_of=dt.date.fromisoformat(as_of), snapshot=Snapshot.open(Path(snapshot)),
                  contracts=contracts, engine=engine)
print(json.dumps({"seconds": time.perf_counter() - started, "families": result.families.num_rows,
                  "qualifying": result.cohort.num_rows, "evidence": result.evidence.num_rows,
                  "residents": sum(result.residents.column("residents").to_pylist()),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(args: list[str]) -> tuple[str, float, float]:
    """Run a child Python; returns its stdout, wall seconds and the largest peak RSS of any child so far (MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([PYTHON, *args], cwd=ROOT, capture_output=True, text=True, check=True, env=os.environ)
    seconds = time.perf_counter() - started
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return done.stdout, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--programme", default="tf-2015")
    parser.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    parser.add_argument("--county", type=Path, default=None, help="An existing synthetic county directory.")
    parser.add_argument("--work", type=Path, default=None, help="Where to write the county and snapshot.")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="bench-identify-"))
    county = options.county or work / "county"
    if options.county is None:
        _, seconds, peak = _child(["-m", "wholefamily.cli", "synth", "--population", str(options.population),
                                   "--seed", str(options.seed), "--out", str(county)])  # fmt: skip
        print(f"synthetic county of {options.population:,}: {seconds:.1f} s, peak {peak:,.0f} MiB")
    manifest = json.loads((county / "manifest.json").read_text())
    as_of = manifest.get("reference_on") or manifest.get("reference_date") or "2015-08-31"
    snapshot = work / "snapshot"
    build = (
        "import datetime as dt, sys; from pathlib import Path; "
        "from wholefamily.domain.contract import load_contract_set; "
        "from wholefamily.identification.engine.perfect import build_perfect_snapshot; "
        "build_perfect_snapshot(Path(sys.argv[1]), Path(sys.argv[2]), contracts=load_contract_set(Path('definitions')),"
        " as_of=dt.date.fromisoformat(sys.argv[3]))"
    )
    _, seconds, peak = _child(["-c", build, str(county), str(snapshot), as_of])
    print(f"perfect-linkage snapshot: {seconds:.1f} s, peak {peak:,.0f} MiB")
    out, seconds, _ = _child(["-c", CHILD, str(snapshot), options.programme, as_of, options.engine])
    figures = json.loads(out.strip().splitlines()[-1])
    print(
        f"identify {options.programme} as of {as_of} on {options.engine}: {figures['residents']:,} residents, "
        f"{figures['families']:,} families evaluated, {figures['qualifying']:,} qualifying, "
        f"{figures['evidence']:,} evidence rows; evaluation {figures['seconds']:.1f} s, "
        f"process {seconds:.1f} s, peak RSS of the identifying process {figures['peak_mib']:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
