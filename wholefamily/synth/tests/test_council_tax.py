"""Council tax listings: one account per household per dwelling, its first adult liable, listings inside the truth."""

# ruff: noqa: S608  (SQL built from fixture paths only)

from __future__ import annotations

from pathlib import Path

import duckdb


def test_listings_follow_the_truth(small_county: Path) -> None:
    connection = duckdb.connect()
    connection.execute(
        f"""
        CREATE TABLE listed AS
        SELECT c.*, t.true_person_id FROM read_csv('{small_county / "agency" / "council_tax.csv"}', all_varchar=true) c
        JOIN read_parquet('{small_county / "truth" / "source_records.parquet"}') t
          ON t.source_kind = 'council_tax' AND t.source_record_id = c.source_record_id
        """
    )
    rows, accounts, liable_accounts = connection.execute(
        "SELECT count(*), count(DISTINCT account_ref), "
        "count(DISTINCT account_ref) FILTER (WHERE listed_as = 'liable') FROM listed"
    ).fetchall()[0]
    assert rows > 0
    assert liable_accounts == accounts  # every account has a liable person
    # each account is one true household at one address: its people were members of one household
    mixed = connection.execute(
        f"""
        SELECT count(*) FROM (
            SELECT l.account_ref FROM listed l
            JOIN read_parquet('{small_county / "truth" / "memberships.parquet"}') m
              ON m.true_person_id = l.true_person_id AND m.start_on <= CAST(l.start_on AS DATE)
             AND (m.end_on IS NULL OR m.end_on >= CAST(l.start_on AS DATE))
            GROUP BY l.account_ref HAVING count(DISTINCT m.household_id) > 1)
        """
    ).fetchall()[0][0]
    assert mixed == 0
    # a listing ends no earlier than it starts, and children are listed only as dependants or non-dependants
    assert connection.execute("SELECT count(*) FROM listed WHERE end_on < start_on").fetchall()[0][0] == 0
    assert {row[0] for row in connection.execute("SELECT DISTINCT listed_as FROM listed").fetchall()} <= {
        "liable", "partner", "dependant", "non_dependant",
    }  # fmt: skip
