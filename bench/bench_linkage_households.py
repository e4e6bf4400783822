"""Benchmark: households and families against the truth, before and after the clerical review queue is worked.

    .venv/bin/python bench/bench_linkage_households.py [--population 20000] [--seed 3] [--county DIR]

Links a synthetic county, prints pairwise and household figures, then plays a perfect reviewer: every grey-zone pair
in `review_pairs.parquet` is decided from the truth ("same person" or "different people") and linkage is run again
with those decisions and the same trained model. The linkage requirements ask for households matching the truth
for 98% of families.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wholefamily.linkage.engine.accuracy import Accuracy, snapshot_accuracy  # noqa: E402
from wholefamily.linkage.engine.definition import DEFAULT_DEFINITIONS_DIR, load_definition  # noqa: E402
from wholefamily.linkage.engine.prepare import InputDataset  # noqa: E402
from wholefamily.linkage.engine.run import Decision, link_datasets  # noqa: E402
from wholefamily.synth.generator import Parameters, generate  # noqa: E402


def _print(label: str, accuracy: Accuracy, seconds: float) -> None:
    print(
        f"{label:<22} precision {accuracy.precision:.4f}  recall {accuracy.recall:.4f}  "
        f"households {accuracy.household_match_rate:.4f} ({accuracy.households_exact:,} of "
        f"{accuracy.households_compared:,})  families {accuracy.family_match_rate:.4f} "
        f"({accuracy.families_exact:,} of {accuracy.families_compared:,})  coverage "
        f"{accuracy.current_placed_rate:.4f}  {seconds:.1f} s"
    )


def _oracle_decisions(snapshot: Path, truth: Path) -> list[Decision]:
    """Each review pair decided from the truth: a profile's true person is the one most of its records belong to."""
    records = pq.read_table(snapshot / "record_person.parquet", columns=["kind", "source_record_id", "profile_id"])
    source = pq.read_table(
        truth / "source_records.parquet", columns=["source_kind", "source_record_id", "true_person_id"]
    )
    person_of = {
        (kind, record): person
        for kind, record, person in zip(*(source.column(c).to_pylist() for c in source.column_names), strict=True)
    }
    profile_person: dict[str, int] = {}
    for kind, record, profile in zip(*(records.column(c).to_pylist() for c in records.column_names), strict=True):
        profile_person.setdefault(profile, person_of[(kind, record)])
    pairs = pq.read_table(snapshot / "review_pairs.parquet", columns=["profile_id_l", "profile_id_r"])
    lefts, rights = pairs.column("profile_id_l").to_pylist(), pairs.column("profile_id_r").to_pylist()
    return [
        Decision(profile_id_l=left, profile_id_r=right, is_same_person=profile_person[left] == profile_person[right])
        for left, right in zip(lefts, rights, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--county", type=Path, default=None, help="an existing county (skips generation)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-households-") as work:
        county = args.county or Path(work) / "county"
        if args.county is None:
            started = time.perf_counter()
            generate(
                Parameters(population=args.population, seed=args.seed, start="2013-09-01", years=5),
                county,
                definitions_dir=DEFAULT_DEFINITIONS_DIR,
            )
            seconds = time.perf_counter() - started
            print(f"county of {args.population:,} residents (seed {args.seed}) in {seconds:.1f} s")
        datasets = [
            InputDataset(dataset_version_id=path.stem, kind=path.stem, path=path)
            for path in sorted((county / "agency").glob("*.csv"))
        ]
        definition, person = load_definition(), load_definition(family="person")
        started = time.perf_counter()
        # as `wholefamily link` runs it: the model chosen by the data (the county model on a synthetic county)
        first = link_datasets(
            datasets, definition=definition, person_definition=person, out_dir=Path(work) / "run-1", run_id="run-1"
        )
        print(f"model: {first.figures['quality']['model_reason']}; settings {first.figures['settings_version']}")
        _print("linked", snapshot_accuracy(first.out_dir, county / "truth"), time.perf_counter() - started)
        decisions = _oracle_decisions(first.out_dir, county / "truth")
        same = sum(1 for decision in decisions if decision.is_same_person)
        print(f"review queue: {len(decisions):,} pairs ({same:,} same person, {len(decisions) - same:,} different)")
        started = time.perf_counter()
        second = link_datasets(
            datasets, definition=definition, out_dir=Path(work) / "run-2", run_id="run-2", decisions=decisions,
            trained_model=first.out_dir / "model.json",
        )  # fmt: skip
        _print("after review", snapshot_accuracy(second.out_dir, county / "truth"), time.perf_counter() - started)
        print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
