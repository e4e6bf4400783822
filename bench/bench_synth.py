"""Benchmark: generate a synthetic county in a child process and print wall seconds and peak memory.

    .venv/bin/python bench/bench_synth.py [--population 1000000] [--seed 1] [--years 5] [--out DIR]

The synthetic county generator is asked for a 1,000,000-resident county in under 3 minutes with peak memory
under 8 GiB on a 2-core machine.
Peak memory is the child's maximum resident set size (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss).
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--start", default="2013-09-01")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as scratch:
        out = args.out or Path(scratch) / "county"
        command = [
            sys.executable,
            "-m",
            "wholefamily.cli",
            "synth",
            "--population",
            str(args.population),
            "--seed",
            str(args.seed),
            "--years",
            str(args.years),
            "--start",
            args.start,
            "--out",
            str(out),
        ]
        began = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
        if completed.returncode != 0:
            print(completed.stdout, completed.stderr, file=sys.stderr)
            return completed.returncode
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kib = usage.ru_maxrss
        cpu = usage.ru_utime + usage.ru_stime
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    rows = sum(manifest["agency_rows"].values())
    eligible = manifest["eligible_at_reference"]
    print(f"population (asked)       {args.population:>14,}")
    print(f"residents at reference   {manifest['residents_at_reference']:>14,}")
    print(f"agency records           {rows:>14,}")
    print(f"output size              {size / 2**20:>11,.0f} MiB")
    print(f"eligible 2012 / 2015     {eligible['tf2012']:>7,} / {eligible['tf2015']:,}")
    print(f"wall seconds             {wall:>14.1f}   (target < 180)")
    print(f"peak RSS                 {peak_kib / 2**20:>11.2f} GiB   (target < 8)")
    print(f"CPU seconds              {cpu:>14.1f}   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
