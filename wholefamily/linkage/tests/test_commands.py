"""The dedupe and linkage_accuracy commands."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from wholefamily.linkage.engine.run import RunResult
from wholefamily.linkage.tests.conftest import County


@pytest.mark.django_db
def test_dedupe_writes_one_row_per_record(linkage_county: County, tmp_path: Path) -> None:
    source = linkage_county.root / "agency" / "social_care.csv"
    out = tmp_path / "clusters.csv"
    stdout = io.StringIO()
    call_command("dedupe", str(source), "--out", str(out), "--no-progress", stdout=stdout)
    with source.open(newline="") as handle:
        records = list(csv.DictReader(handle))
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["source_record_id"] for row in rows] == [row["source_record_id"] for row in records]
    assert set(rows[0]) == {"source_record_id", "line_number", "cluster_id", "match_probability"}
    # records the agency holds under one person id end up in one cluster
    cluster_of: dict[str, set[str]] = {}
    for record, row in zip(records, rows, strict=True):
        cluster_of.setdefault(record["source_person_id"], set()).add(row["cluster_id"])
    assert all(len(clusters) == 1 for clusters in cluster_of.values())
    assert "clusters written to" in stdout.getvalue()


@pytest.mark.django_db
def test_accuracy_command_reports_the_measures(first_run: RunResult, linkage_county: County) -> None:
    stdout = io.StringIO()
    call_command("linkage_accuracy", str(first_run.out_dir), "--truth", str(linkage_county.truth), stdout=stdout)
    text = stdout.getvalue()
    assert "pairwise precision" in text and "same-household false merges" in text and "families" in text
    assert "have a current household" in text
