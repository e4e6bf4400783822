"""Accuracy of a linked snapshot against a ground truth: pairwise precision, recall and F1 over source records,
cluster measures, and same-household false merges (two true people of one household given one person id)."""

# ruff: noqa: S608  (SQL here is built from our own table and column names and paths, never from user input)

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from wholefamily.linkage.engine.prepare import connect


@dataclass(frozen=True)
class Accuracy:
    records: int
    true_pairs: int
    predicted_pairs: int
    true_positive_pairs: int
    precision: float
    recall: float
    f1: float
    true_persons: int
    predicted_persons: int
    exact_clusters: int
    cluster_precision: float
    cluster_recall: float
    same_household_false_merges: int | None
    persons_in_households_with_children: int | None
    same_household_false_merge_rate: float | None
    households_compared: int | None = None
    households_exact: int | None = None
    household_match_rate: float | None = None
    families_compared: int | None = None
    families_exact: int | None = None
    family_match_rate: float | None = None
    current_persons: int | None = None
    current_persons_placed: int | None = None
    current_placed_rate: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 1.0


def pairwise_from_table(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Pair counts from a table (predicted, truth) of one row per record, by counting within cells."""
    rows = connection.execute(
        f"""
        WITH cells AS (SELECT predicted, truth, count(*) AS n FROM {table} GROUP BY ALL),
             p AS (SELECT predicted, sum(n) AS n FROM cells GROUP BY predicted),
             t AS (SELECT truth, sum(n) AS n FROM cells GROUP BY truth)
        SELECT (SELECT sum(n) FROM cells), (SELECT sum(n * (n - 1) / 2) FROM cells),
               (SELECT sum(n * (n - 1) / 2) FROM p), (SELECT sum(n * (n - 1) / 2) FROM t)
        """
    ).fetchall()
    records, true_positive, predicted, truth = (int(value or 0) for value in rows[0])
    return {"records": records, "tp": true_positive, "predicted": predicted, "truth": truth}


def _measure(connection: duckdb.DuckDBPyConnection, memberships: str | None) -> Accuracy:
    counts = pairwise_from_table(connection, "joined")
    precision = _ratio(counts["tp"], counts["predicted"])
    recall = _ratio(counts["tp"], counts["truth"])
    clusters = connection.execute(
        """
        WITH p AS (SELECT predicted, list_sort(list(DISTINCT record)) AS members FROM joined GROUP BY predicted),
             t AS (SELECT truth, list_sort(list(DISTINCT record)) AS members FROM joined GROUP BY truth)
        SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM p),
               (SELECT count(*) FROM p JOIN t USING (members))
        """
    ).fetchall()[0]
    true_persons, predicted_persons, exact = (int(value) for value in clusters)
    merges = persons_with_children = rate = None
    if memberships:
        household = connection.execute(
            f"""
            WITH m AS (SELECT true_person_id::VARCHAR AS truth, household_id FROM {memberships}),
                 mixed AS (SELECT predicted, list(DISTINCT truth) AS truths FROM joined GROUP BY predicted
                           HAVING count(DISTINCT truth) > 1),
                 pairs AS (SELECT DISTINCT a.truth AS a, b.truth AS b FROM mixed,
                           unnest(truths) AS a(truth), unnest(truths) AS b(truth) WHERE a.truth < b.truth),
                 shared AS (SELECT DISTINCT p.a, p.b FROM pairs p JOIN m ma ON ma.truth = p.a
                            JOIN m mb ON mb.truth = p.b AND mb.household_id = ma.household_id),
                 with_children AS (SELECT DISTINCT truth FROM m WHERE household_id IN (
                            SELECT household_id FROM {memberships} WHERE role = 'child'))
            SELECT (SELECT count(*) FROM (SELECT a FROM shared UNION SELECT b FROM shared)),
                   (SELECT count(*) FROM with_children)
            """
        ).fetchall()[0]
        merges, persons_with_children = int(household[0]), int(household[1])
        rate = _ratio(merges, persons_with_children) if persons_with_children else 0.0
    return Accuracy(
        records=counts["records"],
        true_pairs=counts["truth"],
        predicted_pairs=counts["predicted"],
        true_positive_pairs=counts["tp"],
        precision=round(precision, 6),
        recall=round(recall, 6),
        f1=round(_ratio(2 * precision * recall, precision + recall), 6),
        true_persons=true_persons,
        predicted_persons=predicted_persons,
        exact_clusters=exact,
        cluster_precision=round(_ratio(exact, predicted_persons), 6),
        cluster_recall=round(_ratio(exact, true_persons), 6),
        same_household_false_merges=merges,
        persons_in_households_with_children=persons_with_children,
        same_household_false_merge_rate=round(rate, 6) if rate is not None else None,
    )


def _household_measures(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Current households compared with the truth's current households.

    A true household's members are compared when they have a predicted current household, or when an agency record
    shows them at their current home (a record dated on or after they or their household moved in, with a full address
    that the truth's noise does not call stale), so that leaving such a person out of every household is an error.
    Nothing can place the others: a person seen only at an earlier address has moved, destination unknown. A true
    household is right when its compared members, and no other true person, make up one predicted current
    household. Families are households with a child. Coverage is the share of the evidenced members who have a
    predicted current household at all.
    """
    rows = connection.execute(
        """
        WITH person_truth AS (  -- each predicted person is the true person most of its records belong to
            SELECT predicted, arg_max(truth, (n, truth)) AS truth FROM (
                SELECT predicted, truth, count(*) AS n FROM joined GROUP BY ALL) GROUP BY predicted),
        predicted AS (
            SELECT pt.truth, m.household_id FROM predicted_memberships m
            JOIN person_truth pt ON pt.predicted = m.person_id WHERE m.end_on IS NULL),
        truth AS (  -- current members, from when they moved in or their household last moved, if later
            SELECT m.true_person_id::VARCHAR AS truth, m.household_id, m.role,
                   greatest(m.start_on, COALESCE(a.start_on, m.start_on)) AS start_on
            FROM truth_memberships m LEFT JOIN truth_addresses a
              ON a.household_id = m.household_id AND a.end_on IS NULL
            WHERE m.end_on IS NULL),
        evidenced AS (  -- an agency record shows them at their current home
            SELECT t.* FROM truth t WHERE EXISTS (
                SELECT 1 FROM joined j WHERE j.truth = t.truth AND j.recorded_on >= t.start_on
                  AND j.dwelling NOT LIKE 'P:%' AND j.noise NOT LIKE '%stale_address%')),
        compared AS (SELECT * FROM evidenced UNION SELECT * FROM truth WHERE truth IN (SELECT truth FROM predicted)),
        true_sets AS (
            SELECT household_id, list_sort(list(DISTINCT truth)) AS members, bool_or(role = 'child') AS has_child
            FROM compared GROUP BY household_id),
        predicted_sets AS (
            SELECT household_id, list_sort(list(DISTINCT truth)) AS members FROM predicted GROUP BY household_id)
        SELECT count(*), count(*) FILTER (WHERE members IN (SELECT members FROM predicted_sets)),
               count(*) FILTER (WHERE has_child),
               count(*) FILTER (WHERE has_child AND members IN (SELECT members FROM predicted_sets)),
               (SELECT count(DISTINCT truth) FROM evidenced),
               (SELECT count(DISTINCT truth) FROM evidenced WHERE truth IN (SELECT truth FROM predicted))
        FROM true_sets
        """
    ).fetchall()[0]
    compared, exact, families, families_exact, current, placed = (int(value or 0) for value in rows)
    return {
        "households_compared": compared,
        "households_exact": exact,
        "household_match_rate": round(_ratio(exact, compared), 6),
        "families_compared": families,
        "families_exact": families_exact,
        "family_match_rate": round(_ratio(families_exact, families), 6),
        "current_persons": current,
        "current_persons_placed": placed,
        "current_placed_rate": round(_ratio(placed, current), 6),
    }


def snapshot_accuracy(snapshot_dir: Path, truth_dir: Path) -> Accuracy:
    """Compare `record_person.parquet` with the synthetic county's truth (source_records, memberships)."""
    connection = connect()
    try:
        connection.execute(
            f"""
            CREATE TABLE joined AS
            SELECT r.kind || ':' || r.source_record_id AS record, r.person_id AS predicted,
                   t.true_person_id::VARCHAR AS truth, t.recorded_on, COALESCE(t.noise, '') AS noise,
                   r.dwelling
            FROM read_parquet('{snapshot_dir / "record_person.parquet"}') r
            JOIN read_parquet('{truth_dir / "source_records.parquet"}') t
              ON t.source_kind = r.kind AND t.source_record_id = r.source_record_id
            """
        )
        memberships = truth_dir / "memberships.parquet"
        if memberships.exists():
            connection.execute(f"CREATE TABLE truth_memberships AS SELECT * FROM read_parquet('{memberships}')")
            addresses = truth_dir / "household_addresses.parquet"
            connection.execute(f"CREATE TABLE truth_addresses AS SELECT * FROM read_parquet('{addresses}')")
        accuracy = _measure(connection, "truth_memberships" if memberships.exists() else None)
        predicted_memberships = snapshot_dir / "memberships.parquet"
        if memberships.exists() and predicted_memberships.exists():
            connection.execute(
                f"CREATE TABLE predicted_memberships AS SELECT * FROM read_parquet('{predicted_memberships}')"
            )
            accuracy = replace(accuracy, **_household_measures(connection))
        return accuracy
    finally:
        connection.close()


def clusters_accuracy(predicted: dict[str, str], truth: dict[str, str]) -> Accuracy:
    """Compare two record -> cluster mappings (for benchmarks and `dedupe` outputs)."""
    import pyarrow as pa

    keys = [key for key in predicted if key in truth]
    table = pa.table({"record": keys, "predicted": [predicted[k] for k in keys], "truth": [truth[k] for k in keys]})
    connection = connect()
    try:
        connection.register("joined_arrow", table)
        connection.execute("CREATE TABLE joined AS SELECT * FROM joined_arrow")
        return _measure(connection, None)
    finally:
        connection.close()
