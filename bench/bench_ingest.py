"""Benchmark: import a 1,000,000-row school attendance CSV; print rows per second and the importer's peak memory.

Runs `wholefamily import` in a child process against its own SQLite database and data store in a temporary
folder (never a shared database), and reads the child's peak resident memory with resource.getrusage.

    .venv/bin/python bench/bench_ingest.py [--rows 1000000] [--policy reject|quarantine] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = (
    "source_record_id,source_person_id,forename,surname,date_of_birth,sex,address,postcode,uprn,pupil_number,"
    "academic_year,term,school_urn,possible_sessions,authorised_absence_sessions,unauthorised_absence_sessions\n"
)
FORENAMES = ("Amelia", "Oliver", "Zoë", "Siân", "Noah", "Isla", "Jack", "Ava", "Leo", "Mia")
SURNAMES = ("Testperson", "Exampleton-Smith", "O'Sample", "Fictional", "Madeup", "Nobody", "Placeholder")
TERMS = ("autumn", "spring", "summer")


def write_attendance(path: Path, rows: int) -> None:
    """Made-up pupils, three terms a year for two years (no real people; ZZ postcodes)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        lines = []
        for i in range(rows):
            pupil = i // 6
            term_index = i % 6
            lines.append(
                f"R{i:07d},P{pupil:07d},{FORENAMES[pupil % 10]},{SURNAMES[pupil % 7]},"
                f"{2003 + pupil % 12}-{1 + pupil % 12:02d}-{1 + pupil % 28:02d},{'FM'[pupil % 2]},"
                f'"{pupil % 200 + 1} Nowhere Lane, Testville",ZZ{pupil % 9 + 1} {pupil % 9}AB,{10_000_000 + pupil},'
                f"X{pupil:012d},{2013 + term_index // 3},{TERMS[term_index % 3]},{100000 + pupil % 300},"
                f"{140 + term_index % 3 * 10},{i % 9},{i % 7}\n"
            )
            if len(lines) == 10_000:
                handle.writelines(lines)
                lines.clear()
        handle.writelines(lines)


def wholefamily(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wholefamily.cli", *args], env=env, capture_output=True, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--policy", default="reject", choices=["reject", "quarantine"])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(WHOLEFAMILY_VAR_DIR=str(workdir / "var"), WHOLEFAMILY_DATA_DIR=str(workdir / "var" / "data"))
    try:
        started = time.perf_counter()
        csv_path = workdir / "school_attendance.csv"
        write_attendance(csv_path, options.rows)
        size = csv_path.stat().st_size
        print(f"generated {options.rows:,} rows, {size / 1e6:,.1f} MB in {time.perf_counter() - started:.1f} s")
        migrated = wholefamily("migrate", "--no-input", "-v", "0", env=env)
        if migrated.returncode != 0:
            print(migrated.stderr)
            return 1
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        result = wholefamily(
            "import", "--kind", "school_attendance", "--profile", "synthetic-county", str(csv_path),
            "--policy", options.policy, "--no-progress", env=env,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(result.stdout.strip())
        if result.returncode != 0:
            print(result.stderr.strip())
            return 1
        print(f"import: {seconds:.1f} s wall, {options.rows / seconds:,.0f} rows/s, {size / 1e6 / seconds:,.1f} MB/s")
        note = "" if peak_kib > before else " (a setup child was larger)"
        print(f"peak memory of the import process: {peak_kib / 1024:,.0f} MiB (ru_maxrss of children){note}")
        stored = sum(p.stat().st_size for p in (workdir / "var" / "data" / "datasets").rglob("*") if p.is_file())
        print(f"stored Parquet: {stored / 1e6:,.1f} MB")
        return 0
    finally:
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
