"""Shared by the public benchmark files' benches: the product's own `wholefamily dedupe` and Splink alone with
standard settings, on the same persons-layout file, in one run.

"Splink alone with standard settings" is the quick-start of Splink's README (moj-analytical-services/splink,
version 5): NameComparison on the forename, JaroAtThresholds on the surname, DateOfBirthComparison, ExactMatch with
term frequencies on the place column, EmailComparison; blocking on forename and date of birth, and on surname; the
prior from forename and surname (recall 0.7), u from 1,000,000 random pairs, EM on forename and surname and on
email (or date of birth when the file has no email); pairs scored above match weight -5 and clustered at 0.95.
Columns the file does not have are left out, and the file's identifiers (NHS or National Insurance number, UPRN,
telephone) are compared exactly and blocked on. Splink sees the same columns as the product, with the product's
own persons-layout names; nothing is cleaned for it.
"""

# ruff: noqa: S608  (SQL here is built from our own table and column names and paths, never from user input)

from __future__ import annotations

import csv
import io
import logging
import os
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

IDENTIFIERS = ("nhs_number", "ni_number", "uprn", "phone", "pupil_number")


@dataclass
class Score:
    name: str
    precision: float
    recall: float
    f1: float
    clusters: int
    wall_s: float


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def read_truth(path: Path, *, column: str = "true_id") -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["source_record_id"]: row[column] for row in csv.DictReader(handle)}


def product(path: Path, truth: dict[str, str], *, extra: tuple[str, ...] = ()) -> tuple[Score, str]:
    """`wholefamily dedupe` on the file, as an analyst runs it; returns the score and the command's report."""
    _django()
    from django.core.management import call_command

    from wholefamily.linkage.engine.accuracy import clusters_accuracy

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-dedupe-") as tmp:
        out = Path(tmp) / "clusters.csv"
        stdout = io.StringIO()
        call_command("dedupe", str(path), "--out", str(out), "--no-progress", *extra, stdout=stdout)
        with out.open(newline="", encoding="utf-8") as handle:
            predicted = {row["source_record_id"]: row["cluster_id"] for row in csv.DictReader(handle)}
    wall = time.perf_counter() - started
    accuracy = clusters_accuracy(predicted, truth)
    score = Score(
        "wholefamily dedupe", accuracy.precision, accuracy.recall, accuracy.f1, len(set(predicted.values())), wall
    )
    return score, stdout.getvalue()


def splink_alone(path: Path, truth: dict[str, str], *, place: str | None) -> Score:
    """Splink's README quick-start on the same file (see the module's docstring)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from wholefamily.linkage.engine.accuracy import clusters_accuracy
    from wholefamily.linkage.engine.prepare import connect

    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.perf_counter()
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True, column_types={}, auto_dict_encode=False),
        read_options=pacsv.ReadOptions(column_names=None),
    )
    table = table.cast(pa.schema([pa.field(name, pa.string()) for name in table.column_names]))
    columns = set(table.column_names)
    has = lambda name: name in columns and table.column(name).null_count < table.num_rows  # noqa: E731
    table = table.rename_columns(["unique_id" if n == "source_record_id" else n for n in table.column_names])
    comparisons: list[Any] = []
    blocking: list[Any] = []
    if has("forename"):
        comparisons.append(cl.NameComparison("forename"))
    if has("surname"):
        comparisons.append(cl.JaroAtThresholds("surname"))
        blocking.append(block_on("surname"))
    if has("date_of_birth"):
        comparisons.append(cl.DateOfBirthComparison("date_of_birth", input_is_string=True))
        if has("forename"):
            blocking.insert(0, block_on("forename", "date_of_birth"))
    if place and has(place):
        comparisons.append(cl.ExactMatch(place).configure(term_frequency_adjustments=True))
    if has("email"):
        comparisons.append(cl.EmailComparison("email"))
    for name in IDENTIFIERS:
        if has(name):
            comparisons.append(cl.ExactMatch(name))
            blocking.append(block_on(name))
    connection = connect(memory_limit="2GB")
    db_api = DuckDBAPI(connection)
    frame = db_api.register(table, dataset_display_name="persons")
    settings = SettingsCreator(
        link_type="dedupe_only", comparisons=comparisons, blocking_rules_to_generate_predictions=blocking
    )
    linker = Linker(frame, settings, log_level=None)
    if has("forename") and has("surname"):
        linker.training.estimate_probability_two_random_records_match([block_on("forename", "surname")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (("forename", "surname"), ("email",) if has("email") else ("date_of_birth",)):
        if all(has(name) for name in rule):
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
    predictions = linker.inference.predict(threshold_match_weight=-5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    rows = connection.sql(f"SELECT unique_id, cluster_id FROM {clusters.physical_name}").fetchall()
    connection.close()
    predicted = {str(unique_id): str(cluster_id) for unique_id, cluster_id in rows}
    wall = time.perf_counter() - started
    accuracy = clusters_accuracy(predicted, truth)
    return Score(
        "Splink alone, README settings", accuracy.precision, accuracy.recall, accuracy.f1,
        len(set(predicted.values())), wall,
    )  # fmt: skip


def print_scores(title: str, scores: list[Score]) -> None:
    print(title)
    print(f"  {'':32} {'precision':>9} {'recall':>8} {'F1':>8} {'clusters':>9} {'wall s':>7}")
    for s in scores:
        print(f"  {s.name:32} {s.precision:9.4f} {s.recall:8.4f} {s.f1:8.4f} {s.clusters:9,} {s.wall_s:7.1f}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of this process {peak_mib:,.0f} MiB")
