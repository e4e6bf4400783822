"""Benchmark: link every source record of a synthetic county; prints time, peak memory and accuracy, and the
same Splink training and prediction alone on the same profiles with the same settings (the pipeline's overhead).

    .venv/bin/python bench/bench_linkage_county.py [--population 1000000] [--seed 1] [--county DIR]

The linkage requirements ask for a 1,000,000-resident county within 10% of Splink alone. Each step runs in its own
child process so that peak memory (maximum resident set size of the child) is measured separately.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PIPELINE = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from wholefamily.linkage.engine.prepare import InputDataset
from wholefamily.linkage.engine.definition import load_definition
from wholefamily.linkage.engine.run import link_datasets
from wholefamily.linkage.engine.accuracy import snapshot_accuracy
county = Path({county!r})
files = sorted((county / 'agency').glob('*.csv'))
datasets = [InputDataset(dataset_version_id=p.stem, kind=p.stem, path=p) for p in files]
# as `wholefamily link` runs it: the model is chosen by the data (the county model on a synthetic county)
result = link_datasets(
    datasets, definition=load_definition(), person_definition=load_definition(family='person'),
    out_dir=Path({out!r}), run_id='bench', memory_limit={memory!r}
)
accuracy = snapshot_accuracy(Path({out!r}), county / 'truth')
print(json.dumps({{'figures': result.figures, 'accuracy': accuracy.as_dict()}}, default=str))
"""

_SPLINK_ALONE = """
import json, sys, time, logging
from pathlib import Path
sys.path.insert(0, {root!r})
from splink import DuckDBAPI, Linker
from wholefamily.linkage.engine import prepare
from wholefamily.linkage.engine.definition import load_definition
from wholefamily.linkage.engine.model import predict, splink_settings, train
county = Path({county!r})
definition = load_definition()
connection = prepare.connect(memory_limit={memory!r})
files = sorted((county / 'agency').glob('*.csv'))
datasets = [prepare.InputDataset(dataset_version_id=p.stem, kind=p.stem, path=p) for p in files]
prepare.load_records(connection, datasets)
profiles = prepare.build_profiles(connection, definition.nicknames)
logging.getLogger('splink').setLevel(logging.ERROR)
started = time.perf_counter()
frame = DuckDBAPI(connection).register('profiles', dataset_display_name='profiles')
linker = Linker(frame, splink_settings(definition), log_level=None)
train(linker, definition)
predictions = predict(linker, definition, profiles)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, definition.link_threshold)
print(json.dumps({{'splink_s': round(time.perf_counter() - started, 2)}}))
"""


def _child(code: str) -> tuple[dict, float, float, float]:
    """Run `code` in a child: its JSON output, wall seconds, peak memory so far (MiB) and CPU seconds."""
    started = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-3000:])
        raise SystemExit(completed.returncode)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(usage.ru_maxrss, before) / 1024
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    # the result is the last line that is a JSON object: other output can follow it on stdout (a line starting
    # "100" once did, presumably DuckDB's progress bar flushed at exit)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if not lines:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        raise SystemExit("the child printed no result")
    return json.loads(lines[-1]), wall, peak, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--county", type=Path, default=None, help="an existing county (skips generation)")
    parser.add_argument("--memory", default="4GB", help="DuckDB memory limit")
    parser.add_argument(
        "--part", choices=["both", "pipeline", "splink"], default="both",
        help="run one half only (at 1,000,000 residents each half takes about half an hour)",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-linkage-") as scratch:
        county = args.county or Path(scratch) / "county"
        if args.county is None:
            subprocess.run(
                [sys.executable, "-m", "wholefamily.cli", "synth", "--population", str(args.population), "--seed",
                 str(args.seed), "--out", str(county)],
                check=True, cwd=ROOT, capture_output=True,
            )  # fmt: skip
        values = {
            "root": str(ROOT),
            "county": str(county),
            "out": str(Path(scratch) / "snapshot"),
            "memory": args.memory,
        }
        if args.part != "pipeline":
            alone, alone_wall, _, alone_cpu = _child(_SPLINK_ALONE.format(**values))
            print(f"Splink alone (train, predict, cluster on the same profiles): {alone['splink_s']} s")
            print(f"  CPU seconds, whole child process (with reading and cleaning the records): {alone_cpu:.0f} s")
        if args.part == "splink":
            return 0
        pipeline, pipeline_wall, pipeline_peak, pipeline_cpu = _child(_PIPELINE.format(**values))
    figures, accuracy = pipeline["figures"], pipeline["accuracy"]
    print(
        f"County: {figures['records']:,} source records, {figures['profiles']:,} profiles, "
        f"{accuracy['true_persons']:,} true persons"
    )
    print(
        f"Linkage (whole pipeline): wall {pipeline_wall:.1f} s (in-run {figures['wall_s']} s: prepare "
        f"{figures['prepare_s']} s, Splink {figures['splink_s']} s, clusters and households "
        f"{figures['cluster_and_households_s']} s), peak memory {pipeline_peak:,.0f} MiB"
    )
    print(
        f"  of clusters and households: clusters {figures['clusters_s']} s ({figures['conflicts']:,} conflicts), "
        f"person ids {figures['person_ids_s']} s, households {figures['households_s']} s; snapshot "
        f"{figures['snapshot_s']} s; {figures['pairs_scored_above_review']:,} pairs scored"
    )
    print(f"  CPU seconds, whole child process: {pipeline_cpu:.0f} s (with accuracy)")
    print(f"  model: {figures['quality']['model_reason']}; settings {figures['settings_version']}")
    if args.part == "both":
        print(f"pipeline / Splink alone: {figures['wall_s'] / alone['splink_s']:.2f} (in-run walls)")
        print(f"  child walls {pipeline_wall:.0f} s and {alone_wall:.0f} s; the machine is shared: walls vary")
    print(
        f"Accuracy: precision {accuracy['precision']:.4f}, recall {accuracy['recall']:.4f}, F1 {accuracy['f1']:.4f}; "
        f"same-household false merges {accuracy['same_household_false_merge_rate']}; "
        f"households matching {accuracy['household_match_rate']}, families matching {accuracy['family_match_rate']}, "
        f"coverage {accuracy['current_placed_rate']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
