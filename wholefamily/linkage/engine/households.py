"""Households and dated memberships from linked persons' addresses over time (ADR 0004).

A *dwelling* is a UPRN, or failing that a cleaned address and postcode. A person's spell at a dwelling is a run
of their records there with gaps no longer than `spell_gap_days`; a person is taken to live there until their
records show them elsewhere, and a household is the people living at one dwelling at overlapping times (a family
moving in after the last one moved away is a new household). A person last seen at a dwelling is taken to
have moved with the people they lived with when all of them who were seen later moved on to one same dwelling.
Roles come from ages at the spell's start. Runs in DuckDB over the `linked` table (record, person_id, dwelling,
record_on).
"""

# ruff: noqa: S608  (SQL here is built from our own table and column names and paths, never from user input)

from __future__ import annotations

import duckdb

from wholefamily.linkage.engine.definition import HouseholdRules


def build_households(connection: duckdb.DuckDBPyConnection, rules: HouseholdRules) -> None:
    """Create tables `spells` (person_id, household_key, dwelling, start_on, end_on, role) and `household_rows`."""
    gap = int(rules.spell_gap_days)
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE dated AS
        SELECT person_id, dwelling, record_on FROM linked WHERE dwelling IS NOT NULL AND record_on IS NOT NULL;
        CREATE OR REPLACE TABLE raw_spells AS
        WITH marked AS (
            SELECT *, CASE WHEN record_on - lag(record_on) OVER w > {gap} THEN 1 ELSE 0 END AS is_new
            FROM dated WINDOW w AS (PARTITION BY person_id, dwelling ORDER BY record_on)
        ), numbered AS (
            SELECT *, sum(is_new) OVER (PARTITION BY person_id, dwelling ORDER BY record_on
                                        ROWS UNBOUNDED PRECEDING) AS spell
            FROM marked
        )
        SELECT person_id, dwelling, spell, min(record_on) AS start_on, max(record_on) AS last_on, count(*) AS records
        FROM numbered GROUP BY person_id, dwelling, spell;
        -- a lone record inside another spell of the person is a stale address, not a move
        CREATE OR REPLACE TABLE kept_spells AS
        SELECT s.* FROM raw_spells s
        WHERE s.records > 1 OR NOT EXISTS (
            SELECT 1 FROM raw_spells o
            WHERE o.person_id = s.person_id AND o.dwelling <> s.dwelling AND o.records > 1
              AND o.start_on <= s.start_on AND o.last_on >= s.last_on);
        -- persons with no dated record at all: one undated spell at their most frequent dwelling
        INSERT INTO kept_spells
        SELECT person_id, arg_max(dwelling, n), 0, NULL, NULL, max(n) FROM (
            SELECT person_id, dwelling, count(*) AS n FROM linked
            WHERE dwelling IS NOT NULL AND person_id NOT IN (SELECT person_id FROM dated)
            GROUP BY person_id, dwelling) GROUP BY person_id;
        -- a person last seen at a dwelling moves with the people they lived with there: when every co-resident
        -- seen after the person's last record there moved on to one same dwelling, so did the person
        CREATE OR REPLACE TABLE followed AS
        WITH nexts AS (
            SELECT *, lead(dwelling) OVER w AS next_dwelling, lead(start_on) OVER w AS next_on
            FROM kept_spells WINDOW w AS (PARTITION BY person_id ORDER BY start_on)
        ), last_spells AS (SELECT * FROM nexts WHERE next_on IS NULL AND start_on IS NOT NULL),
        moves AS (
            SELECT b.person_id, b.dwelling, count(DISTINCT a.person_id) AS movers,
                   count(DISTINCT a.next_dwelling) AS destinations, any_value(a.next_dwelling) AS destination,
                   min(a.next_on) AS moved_on,
                   count(*) FILTER (WHERE a.next_dwelling IS NULL) AS stayers
            FROM last_spells b JOIN nexts a
              ON a.dwelling = b.dwelling AND a.person_id <> b.person_id
             AND a.start_on <= b.last_on AND COALESCE(a.next_on, a.last_on) > b.last_on
            GROUP BY b.person_id, b.dwelling
        )
        SELECT person_id, destination AS dwelling, -1 AS spell, moved_on AS start_on, moved_on AS last_on,
               0 AS records
        FROM moves WHERE movers > 0 AND destinations = 1 AND stayers = 0 AND destination IS NOT NULL;
        INSERT INTO kept_spells SELECT * FROM followed;
        -- a person is taken to live at a dwelling until their records show them somewhere else
        CREATE OR REPLACE TABLE grouped_spells AS
        WITH ended AS (
            SELECT *, COALESCE(lead(start_on) OVER (PARTITION BY person_id ORDER BY start_on), DATE '9999-12-31')
                      AS moved_on
            FROM kept_spells
        ), ordered AS (
            SELECT *, CASE WHEN start_on > max(moved_on) OVER (
                        PARTITION BY dwelling ORDER BY start_on NULLS FIRST, person_id
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 1 ELSE 0 END AS is_new
            FROM ended
        )
        SELECT *, dwelling || '#' || CAST(sum(is_new) OVER (PARTITION BY dwelling ORDER BY start_on NULLS FIRST,
               person_id ROWS UNBOUNDED PRECEDING) AS VARCHAR) AS household_key
        FROM ordered;
        """
    )
    _roles(connection, rules)
    connection.execute(
        """
        CREATE OR REPLACE TABLE household_rows AS
        SELECT g.household_key, any_value(g.dwelling) AS dwelling,
               mode(l.uprn) AS uprn, mode(l.postcode) AS postcode, mode(l.address) AS address,
               mode(l.postcode_district) AS postcode_district,
               min(g.start_on) AS first_seen_on, max(g.last_on) AS last_seen_on
        FROM grouped_spells g JOIN linked l ON l.person_id = g.person_id AND l.dwelling = g.dwelling
        GROUP BY g.household_key
        """
    )


def _roles(connection: duckdb.DuckDBPyConnection, rules: HouseholdRules) -> None:
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE spells AS
        WITH aged AS (
            SELECT g.*, p.date_of_birth,
                   date_diff('year', p.date_of_birth, COALESCE(g.start_on, current_date)) AS age,
                   max(g.last_on) OVER (PARTITION BY g.person_id) AS person_last_on
            FROM grouped_spells g LEFT JOIN persons p USING (person_id)
        ), parents AS (
            SELECT DISTINCT a.person_id, a.household_key FROM aged a JOIN aged c
              ON a.household_key = c.household_key AND a.person_id <> c.person_id
             AND c.age < {rules.child_under} AND a.age >= 18
             AND date_diff('year', a.date_of_birth, c.date_of_birth) >= {rules.parent_min_age_gap}
        )
        SELECT a.person_id, a.household_key, a.dwelling, a.start_on,
               CASE WHEN a.last_on IS NULL OR a.last_on = a.person_last_on THEN NULL ELSE a.last_on END AS end_on,
               a.last_on,
               CASE WHEN a.age < {rules.child_under} THEN 'child'
                    WHEN p.person_id IS NOT NULL THEN 'adult_parent'
                    WHEN a.age < {rules.young_person_under} THEN 'young_person'
                    ELSE 'other_adult' END AS role
        FROM aged a LEFT JOIN parents p ON p.person_id = a.person_id AND p.household_key = a.household_key
        """
    )
