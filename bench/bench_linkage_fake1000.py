"""Benchmark: Splink's `fake_1000` deduplicated by the product's own `wholefamily dedupe`, beside Splink alone with
the settings of Splink's README, on the same records in one run; prints pairwise accuracy, time and memory.

    .venv/bin/python bench/bench_linkage_fake1000.py [--csv ../shared/data/fake_1000.csv] [-- dedupe options]

Splink downloads fake_1000 at run time, which fails without network; a copy is at ../shared/data/fake_1000.csv
(columns unique_id, first_name, surname, dob, city, email, cluster; `cluster` is the truth). The bench writes it in
the persons layout (unique_id as source_record_id, first_name as forename, dob as date_of_birth, city as the
address, email) without the truth, and both sides read that file. Pairwise measures are over the pairs implied by
the clusters. ADR 0016 asks the product to score at least Splink alone's F1, and at least 0.99 where Splink does.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# beside the checkout (../shared/data), or beside the folder of worktrees
DEFAULT_CSV = next(
    (
        path
        for base in (ROOT.parent, ROOT.parent.parent)
        if (path := base / "shared" / "data" / "fake_1000.csv").exists()
    ),
    ROOT.parent / "shared" / "data" / "fake_1000.csv",
)
LAYOUT = {"unique_id": "source_record_id", "first_name": "forename", "surname": "surname", "dob": "date_of_birth",
          "city": "address", "email": "email"}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("dedupe_options", nargs="*", help="Passed to wholefamily dedupe (after --).")
    args = parser.parse_args()
    from persons_bench import print_scores, product, splink_alone

    with args.csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    truth = {row["unique_id"]: row["cluster"] for row in rows}
    with tempfile.TemporaryDirectory(prefix="bench-fake1000-") as tmp:
        path = Path(tmp) / "fake_1000_persons.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(LAYOUT.values()))
            writer.writeheader()
            for row in rows:
                writer.writerow({LAYOUT[key]: row[key] for key in LAYOUT})
        ours, report = product(path, truth, extra=tuple(args.dedupe_options))
        theirs = splink_alone(path, truth, place="address")
    print(report)
    print_scores(f"fake_1000: {len(rows):,} records, {len(set(truth.values())):,} true persons", [ours, theirs])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
