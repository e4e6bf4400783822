"""The quality report of a linkage run, for the whole run and for each source (ADR 0016).

Records in, persons out, the share of each source's records linked to a person seen in another source, persons a
source holds more than once, persons with conflicting dates of birth, the distribution of the scored pairs' match
weights, and what the run left out because the data could not support it. Read from the run's DuckDB tables
(`linked`, `scored_pairs`), before the connection closes; stored in the manifest and on the run.
"""

# ruff: noqa: S608  (SQL here is built from our own table and column names, never from user input)

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import duckdb

# Match weight bins of the chart: below the first edge, between each pair of edges, at or above the last.
WEIGHT_EDGES = (-10, -5, 0, 5, 10, 15, 20, 25, 30)


def _bins(connection: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    edges = WEIGHT_EDGES
    cases = " ".join(f"WHEN match_weight < {edge} THEN {i}" for i, edge in enumerate(edges))
    rows = dict(
        connection.execute(
            f"SELECT CASE {cases} ELSE {len(edges)} END AS bin, count(*) FROM scored_pairs GROUP BY bin"
        ).fetchall()
    )
    labels = [f"below {edges[0]}"]
    labels += [f"{low} to {high}" for low, high in pairwise(edges)]
    labels.append(f"{edges[-1]} and above")
    return [{"label": label, "pairs": int(rows.get(i, 0))} for i, label in enumerate(labels)]


def quality_report(
    connection: duckdb.DuckDBPyConnection,
    *,
    model: str,
    model_reason: str,
    skipped: Sequence[str],
    link_threshold: float,
) -> dict[str, Any]:
    """The report as plain data (JSON-ready)."""
    per_source = connection.execute(
        """
        WITH person_sources AS (
            SELECT person_id, count(DISTINCT dataset_version_id) AS sources,
                   count(DISTINCT dob) AS births FROM linked GROUP BY person_id
        ), source_person AS (
            -- a person held under more than one of the source's own ids (or records, where it gives none)
            SELECT dataset_version_id, person_id,
                   count(DISTINCT COALESCE(source_person_id, 'record:' || source_record_id)) AS held_as
            FROM linked GROUP BY dataset_version_id, person_id
        ), held_twice AS (
            SELECT dataset_version_id, count(*) FILTER (WHERE held_as > 1) AS duplicated_persons,
                   COALESCE(sum(held_as - 1), 0) AS duplicate_records
            FROM source_person GROUP BY dataset_version_id
        ), per_source AS (
            SELECT l.dataset_version_id, any_value(l.kind) AS kind, count(*) AS records,
                   count(DISTINCT l.person_id) AS persons,
                   count(*) FILTER (WHERE ps.sources > 1) AS linked_elsewhere,
                   count(DISTINCT l.person_id) FILTER (WHERE ps.births > 1) AS conflicting_dob
            FROM linked l JOIN person_sources ps USING (person_id)
            GROUP BY l.dataset_version_id
        )
        SELECT s.dataset_version_id, s.kind, s.records, s.persons, s.linked_elsewhere, d.duplicated_persons,
               d.duplicate_records, s.conflicting_dob
        FROM per_source s JOIN held_twice d USING (dataset_version_id) ORDER BY s.dataset_version_id
        """
    ).fetchall()
    sources = [
        {
            "source": source,
            "kind": kind,
            "records": int(records),
            "persons": int(persons),
            "linked_elsewhere_share": round(int(elsewhere) / int(records), 4) if records else 0.0,
            "duplicated_persons": int(duplicated),
            "duplicate_records": int(duplicate_records),
            "conflicting_dob_persons": int(conflicting),
        }
        for source, kind, records, persons, elsewhere, duplicated, duplicate_records, conflicting in per_source
    ]
    totals = connection.execute(
        """
        WITH p AS (SELECT person_id, count(DISTINCT dataset_version_id) AS sources, count(DISTINCT dob) AS births,
                          count(*) AS records FROM linked GROUP BY person_id)
        SELECT (SELECT count(*) FROM linked), count(*), count(*) FILTER (WHERE records > 1),
               count(*) FILTER (WHERE sources > 1), count(*) FILTER (WHERE births > 1) FROM p
        """
    ).fetchall()[0]
    pairs = connection.execute(
        f"SELECT count(*), count(*) FILTER (WHERE match_probability >= {float(link_threshold)}) FROM scored_pairs"
    ).fetchall()[0]
    return {
        "model": model,
        "model_reason": model_reason,
        "records": int(totals[0]),
        "persons": int(totals[1]),
        "persons_with_several_records": int(totals[2]),
        "persons_in_several_sources": int(totals[3]),
        "conflicting_dob_persons": int(totals[4]),
        "pairs_scored": int(pairs[0]),
        "pairs_at_or_above_link": int(pairs[1]),
        "link_threshold": link_threshold,
        "match_weights": _bins(connection),
        "sources": sources,
        "skipped": list(skipped),
    }


def report_lines(report: dict[str, Any]) -> list[str]:
    """The report as lines of text, for the command's output."""
    lines = [
        f"Model: {report['model_reason']}.",
        f"{report['records']:,} records in, {report['persons']:,} persons out "
        f"({report['persons_with_several_records']:,} with more than one record, "
        f"{report['persons_in_several_sources']:,} seen in more than one source, "
        f"{report['conflicting_dob_persons']:,} with conflicting dates of birth).",
        f"{report['pairs_scored']:,} pairs scored, {report['pairs_at_or_above_link']:,} at or above the match "
        f"threshold {report['link_threshold']:g}.",
        "Per source:",
    ]
    for source in report["sources"]:
        lines.append(
            f"  {source['source']} ({source['kind']}): {source['records']:,} records, {source['persons']:,} persons, "
            f"{source['linked_elsewhere_share']:.1%} linked to a person seen in another source, "
            f"{source['duplicated_persons']:,} persons held more than once ({source['duplicate_records']:,} duplicate "
            f"records), {source['conflicting_dob_persons']:,} with conflicting dates of birth"
        )
    lines.append("Match weights of the scored pairs:")
    widest = max((row["pairs"] for row in report["match_weights"]), default=0) or 1
    for row in report["match_weights"]:
        bar = "#" * round(30 * row["pairs"] / widest)
        lines.append(f"  {row['label']:>13}  {row['pairs']:>9,}  {bar}")
    if report["skipped"]:
        lines.append("Adapted to the data:")
        lines.extend(f"  {line}" for line in report["skipped"])
    else:
        lines.append("Adapted to the data: nothing; every rule of the model was used.")
    return lines
