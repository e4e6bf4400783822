"""Households and dated memberships from linked persons' addresses over time (ADR 0004).

A *dwelling* is a UPRN, or failing that a cleaned address and postcode. The steps, each a table:

1. `sightings`: each person's first and last record at each dwelling. A dwelling seen once, while the person's
   records at another dwelling run on either side of it, is a stale address and is dropped. So are records at a
   dwelling after the person's council tax listing there has closed.
2. `stays`: a person moves into a dwelling when it is first seen, and leaves it when the next one is first seen.
   Agencies keep old addresses for a while after a move (stale addresses), so a record at an earlier dwelling
   after a later one was first seen does not move the person back; nor does a first record at a dwelling that the
   people they live with had left before moving in with them (ADR 0010).
3. *Following*: a person last seen at a dwelling, whose co-residents moved on together to one same dwelling while
   none of them was seen staying, moved with them (repeated, for families that moved more than once).
4. `household_stays`: the people at one dwelling at overlapping times are one household. The time a person is known
   to be there runs from the first record to the move out, or to the last record when no move is seen. A person
   who arrives after everyone there was last seen starts a new household; a child seen nowhere before joins the
   household there (a birth, or a child starting school). When a new household takes a dwelling, the earlier one's
   people are taken to have moved away, destination unknown: their stays end and they have no current household.
5. *Leaving home*: a young adult last seen at the family home, whose name alone is taken by a person without a date
   of birth first seen elsewhere afterwards (one such pair each way), has left; their stay there ends (ADR 0010).
   Model v5 judges it before following, allows a keying slip in one name, and needs the namesake at a new home of
   their own (ADR 0019). Also from model v5: a person whose council tax listing closed, with no record anywhere after
   it, has moved out (their stay ends; no current household).
6. `spells`: the memberships, with roles from ages at the stay's start.

Runs in DuckDB over the `linked` table (record, person_id, dwelling, record_on) and `persons`.
"""

# ruff: noqa: S608  (SQL here is built from our own table and column names and paths, never from user input)

from __future__ import annotations

import duckdb

from wholefamily.linkage.engine.definition import HouseholdRules

FOLLOW_ROUNDS = 4
OPEN = "DATE '9999-12-31'"


def build_households(connection: duckdb.DuckDBPyConnection, rules: HouseholdRules) -> None:
    """Create tables `spells` (person_id, household_key, dwelling, start_on, end_on, last_on, role) and
    `household_rows`."""
    connection.execute(
        f"""
        -- a record dates the person at its dwelling on its date and, for a kind whose address holds over a span,
        -- on the span's last day too (an open span: the latest date in the data)
        CREATE OR REPLACE TABLE dated AS
        WITH bounds AS (SELECT max(record_on) AS data_end FROM linked)
        SELECT person_id, dwelling, record_on FROM linked WHERE dwelling IS NOT NULL AND record_on IS NOT NULL
        UNION ALL
        SELECT person_id, dwelling, CASE WHEN record_until = {OPEN} THEN greatest(bounds.data_end, record_on)
                                         ELSE record_until END
        FROM linked, bounds WHERE dwelling IS NOT NULL AND record_on IS NOT NULL AND record_until IS NOT NULL;
        -- a span that has ended (a council tax listing closed) ends the person's time at the dwelling: their later
        -- records there carry a stale address, unless a later span of theirs there is still open or ends later
        DELETE FROM dated USING (
            SELECT person_id, dwelling, max(record_until) AS closed_on FROM linked
            WHERE record_until IS NOT NULL AND dwelling IS NOT NULL GROUP BY person_id, dwelling
            HAVING bool_and(record_until <> {OPEN})
        ) c
        WHERE dated.person_id = c.person_id AND dated.dwelling = c.dwelling AND dated.record_on > c.closed_on;
        CREATE OR REPLACE TABLE sightings AS
        SELECT person_id, dwelling, min(record_on) AS first_on, max(record_on) AS last_on, count(*) AS records
        FROM dated GROUP BY person_id, dwelling;
        -- a dwelling seen once, between records of the person at another dwelling, is a stale address
        -- unless someone the person lived with is seen there more than once (the family moved; the agencies still
        -- had the old address on the person's later records)
        CREATE OR REPLACE TABLE kept AS
        SELECT s.* FROM sightings s
        WHERE s.records > 1 OR NOT EXISTS (
            SELECT 1 FROM sightings o
            WHERE o.person_id = s.person_id AND o.dwelling <> s.dwelling AND o.records > 1
              AND o.first_on < s.first_on AND o.last_on > s.first_on)
           OR EXISTS (  -- someone seen at the surrounding dwelling made the same move, and is seen there twice
            SELECT 1 FROM sightings o JOIN sightings other
              ON other.dwelling = o.dwelling AND other.person_id <> o.person_id
            JOIN sightings there ON there.person_id = other.person_id AND there.dwelling = s.dwelling
             AND there.records > 1 AND there.first_on > other.first_on
            WHERE o.person_id = s.person_id AND o.dwelling <> s.dwelling AND o.records > 1
              AND o.first_on < s.first_on AND o.last_on > s.first_on);
        -- a stay runs from the dwelling's first sighting to the next dwelling's; its last record is the last one
        -- there before the move (later ones are stale)
        CREATE OR REPLACE TABLE stays AS
        WITH ordered AS (
            SELECT person_id, dwelling, first_on AS start_on,
                   COALESCE(lead(first_on) OVER (PARTITION BY person_id ORDER BY first_on, dwelling), {OPEN})
                     AS moved_on
            FROM kept
        )
        SELECT o.person_id, o.dwelling, o.start_on, o.moved_on, max(d.record_on) AS last_on
        FROM ordered o LEFT JOIN dated d
          ON d.person_id = o.person_id AND d.dwelling = o.dwelling AND d.record_on < o.moved_on
        GROUP BY o.person_id, o.dwelling, o.start_on, o.moved_on;
        -- persons with no dated record at all: one undated stay at their most frequent dwelling
        INSERT INTO stays
        SELECT person_id, arg_max(dwelling, (n, dwelling)), NULL, {OPEN}, NULL FROM (
            SELECT person_id, dwelling, count(*) AS n FROM linked
            WHERE dwelling IS NOT NULL AND person_id NOT IN (SELECT person_id FROM dated)
            GROUP BY person_id, dwelling) GROUP BY person_id;
        """
    )
    _not_back(connection)
    _children_with_adults(connection, rules.child_under)
    connection.execute("CREATE OR REPLACE TABLE left_home (person_id VARCHAR, dwelling VARCHAR)")
    if rules.leaving_home_before_following:
        _left_home(connection, rules, table="stays")
    for _ in range(FOLLOW_ROUNDS):
        if not _follow(connection, rules.child_under):
            break
    _households(connection)
    if not rules.leaving_home_before_following:
        _left_home(connection, rules, table="household_stays")
    if rules.closed_span_moves_out:
        _closed_span_moves_out(connection)
    connection.execute(
        f"""
        UPDATE household_stays SET displaced = true FROM left_home l
        WHERE household_stays.person_id = l.person_id AND household_stays.dwelling = l.dwelling
          AND household_stays.moved_on = {OPEN}
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
        FROM household_stays g LEFT JOIN linked l ON l.person_id = g.person_id AND l.dwelling = g.dwelling
        WHERE g.dwelling NOT LIKE 'P:%'
        GROUP BY g.household_key
        """
    )


def _closed_span_moves_out(connection: duckdb.DuckDBPyConnection) -> None:
    """A person whose last record of all is the close of a span at their dwelling (their council tax listing there
    closed) and who has no record at all after it, anywhere, while the data runs on, has moved out, destination
    unknown: their stay ends with the span and they have no current household. (Model v5; before it, such a person
    stayed at the dwelling for good: most of them moved in with someone and have no record at the new home.)"""
    connection.execute(
        f"""
        UPDATE household_stays SET displaced = true FROM (
            SELECT x.person_id, x.dwelling FROM household_stays x
            WHERE x.moved_on = {OPEN} AND x.last_on IS NOT NULL
              AND EXISTS (SELECT 1 FROM linked l WHERE l.person_id = x.person_id AND l.dwelling = x.dwelling
                            AND l.record_until = x.last_on AND l.record_until <> {OPEN})
              AND NOT EXISTS (SELECT 1 FROM linked a WHERE a.person_id = x.person_id AND a.record_on > x.last_on)
              -- and the data runs on after it (a listing closing after the last record is not yet a move)
              AND x.last_on < (SELECT max(record_on) FROM linked)
        ) c
        WHERE household_stays.person_id = c.person_id AND household_stays.dwelling = c.dwelling
          AND household_stays.moved_on = {OPEN}
        """
    )


def _not_back(connection: duckdb.DuckDBPyConnection) -> None:
    """A household does not move back. A person first seen at a dwelling after moving to another one, where someone
    they live with there had lived before moving in, is not taken to have moved back: the records carry the
    household's old address (stale). The stay is dropped and the stay before it runs on."""
    connection.execute(
        """
        CREATE OR REPLACE TABLE backward AS
        SELECT DISTINCT x.person_id, x.dwelling, x.start_on, x.moved_on
        FROM stays x
        JOIN stays before ON before.person_id = x.person_id AND before.moved_on = x.start_on
        JOIN stays co ON co.dwelling = before.dwelling AND co.person_id <> x.person_id
         AND co.start_on <= COALESCE(before.last_on, before.start_on) AND co.moved_on > before.start_on
        JOIN stays earlier ON earlier.person_id = co.person_id AND earlier.dwelling = x.dwelling
         AND earlier.start_on < co.start_on
        WHERE x.start_on IS NOT NULL;
        DELETE FROM stays USING backward b
        WHERE stays.person_id = b.person_id AND stays.dwelling = b.dwelling AND stays.start_on = b.start_on;
        UPDATE stays SET moved_on = b.moved_on FROM backward b
        WHERE stays.person_id = b.person_id AND stays.moved_on = b.start_on;
        UPDATE stays SET last_on = (
            SELECT max(d.record_on) FROM dated d
            WHERE d.person_id = stays.person_id AND d.dwelling = stays.dwelling AND d.record_on < stays.moved_on)
        WHERE person_id IN (SELECT person_id FROM backward);
        """
    )


def _children_with_adults(connection: duckdb.DuckDBPyConnection, child_under: int) -> None:
    """Children do not live alone. (A person of unknown age counts as an adult: children's records carry a date of
    birth; an adult's council tax listing often does not.)

    A child's last stay at a dwelling where no adult is seen while the child is there, while an adult the child lived
    with before is seen elsewhere, is a stale address and is dropped. A child whose adults at a dwelling all moved
    out, most of them to one same dwelling, with no adult seen there afterwards, moved with them (the child's later
    records there are stale)."""
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE aged_stays AS
        SELECT s.*, date_diff('year', p.date_of_birth, s.start_on) AS age,
               COALESCE(date_diff('year', p.date_of_birth, s.start_on) >= 18, true) AS adult,
               row_number() OVER (PARTITION BY s.person_id ORDER BY s.start_on) AS stay_number
        FROM stays s LEFT JOIN persons p USING (person_id) WHERE s.start_on IS NOT NULL;
        CREATE OR REPLACE TABLE alone AS
        SELECT c.person_id, c.dwelling, c.start_on FROM aged_stays c
        WHERE c.age < {child_under} AND c.moved_on = {OPEN} AND c.stay_number > 1
          AND NOT EXISTS (SELECT 1 FROM aged_stays a
                          WHERE a.dwelling = c.dwelling AND a.person_id <> c.person_id AND a.adult
                            AND a.start_on <= COALESCE(c.last_on, c.start_on) AND a.moved_on > c.start_on)
          -- while an adult the child lived with before is seen somewhere else after the child's move
          AND EXISTS (SELECT 1 FROM aged_stays b
                      JOIN aged_stays a ON a.dwelling = b.dwelling AND a.person_id <> b.person_id AND a.adult
                       AND a.start_on <= COALESCE(b.last_on, b.start_on) AND a.moved_on > b.start_on
                      JOIN aged_stays later ON later.person_id = a.person_id AND later.dwelling <> c.dwelling
                       AND later.last_on >= c.start_on
                      WHERE b.person_id = c.person_id AND b.moved_on = c.start_on);
        DELETE FROM stays USING alone
        WHERE stays.person_id = alone.person_id AND stays.dwelling = alone.dwelling
          AND stays.start_on = alone.start_on;
        UPDATE stays SET moved_on = {OPEN} FROM alone
        WHERE stays.person_id = alone.person_id AND stays.moved_on = alone.start_on;
        CREATE OR REPLACE TABLE aged_stays AS
        SELECT s.*, date_diff('year', p.date_of_birth, s.start_on) AS age,
               COALESCE(date_diff('year', p.date_of_birth, s.start_on) >= 18, true) AS adult
        FROM stays s LEFT JOIN persons p USING (person_id) WHERE s.start_on IS NOT NULL;
        CREATE OR REPLACE TABLE child_moves AS
        WITH adults AS (  -- the adults at the child's dwelling while the child was there, and where they went
            SELECT c.person_id, c.dwelling, a.person_id AS adult, a.moved_on, n.dwelling AS destination
            FROM aged_stays c
            JOIN aged_stays a ON a.dwelling = c.dwelling AND a.person_id <> c.person_id AND a.adult
             AND a.start_on <= COALESCE(c.last_on, c.start_on) AND a.moved_on > c.start_on
            LEFT JOIN stays n ON n.person_id = a.person_id AND n.start_on = a.moved_on AND n.dwelling NOT LIKE 'P:%'
            WHERE c.age < {child_under} AND c.moved_on = {OPEN}
        ), moved AS (
            SELECT person_id, dwelling, max(moved_on) FILTER (WHERE moved_on <> {OPEN}) AS last_moved_on
            FROM adults GROUP BY person_id, dwelling
        ), tally AS (  -- an adult still there counts only if seen there since the last of the others moved out
            SELECT a.person_id, a.dwelling, m.last_moved_on,
                   count(DISTINCT a.adult) FILTER (WHERE a.moved_on <> {OPEN} OR s.last_on >= m.last_moved_on)
                     AS adults,
                   count(DISTINCT a.adult) FILTER (WHERE a.moved_on = {OPEN} AND s.last_on >= m.last_moved_on)
                     AS staying
            FROM adults a JOIN moved m USING (person_id, dwelling)
            JOIN stays s ON s.person_id = a.adult AND s.dwelling = a.dwelling
            GROUP BY a.person_id, a.dwelling, m.last_moved_on
        ), destinations AS (
            SELECT person_id, dwelling, destination, count(DISTINCT adult) AS n
            FROM adults WHERE destination IS NOT NULL GROUP BY ALL
        ), best AS (
            SELECT person_id, dwelling, arg_max(destination, (n, destination)) AS destination, max(n) AS n
            FROM destinations GROUP BY person_id, dwelling
        )
        SELECT t.person_id, b.destination AS dwelling, t.last_moved_on AS start_on
        FROM tally t JOIN best b USING (person_id, dwelling)
        WHERE t.staying = 0 AND b.n * 2 > t.adults
          -- no other adult lived there before the move and is seen there after it
          AND NOT EXISTS (SELECT 1 FROM aged_stays o
                          WHERE o.dwelling = t.dwelling AND o.person_id <> t.person_id AND o.adult
                            AND o.start_on < t.last_moved_on AND COALESCE(o.last_on, o.start_on) >= t.last_moved_on
                            AND o.moved_on > t.last_moved_on);
        UPDATE stays SET moved_on = m.start_on FROM child_moves m
        WHERE stays.person_id = m.person_id AND stays.moved_on = {OPEN} AND stays.start_on IS NOT NULL
          AND stays.start_on < m.start_on;
        INSERT INTO stays SELECT m.person_id, m.dwelling, m.start_on, {OPEN}, m.start_on FROM child_moves m
        WHERE EXISTS (SELECT 1 FROM stays s WHERE s.person_id = m.person_id AND s.moved_on = m.start_on);
        """
    )


def _follow(connection: duckdb.DuckDBPyConnection, child_under: int) -> int:
    """One round of following: a person whose last stay is at a dwelling moves with the people they lived with
    there when most of those who moved out after the person's last record moved to one same dwelling and none of
    them was seen staying. Returns the number of stays added."""
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE follows AS
        WITH finals AS (  -- a young adult who has left home does not move with the family
            SELECT * FROM stays WHERE moved_on = {OPEN} AND start_on IS NOT NULL
              AND person_id NOT IN (SELECT person_id FROM left_home)
        ), moves AS (  -- co-residents at the person's last record who moved out after it, and where to
            SELECT f.person_id, f.dwelling, a.person_id AS mover, n.dwelling AS destination, a.moved_on
            FROM finals f
            JOIN stays a ON a.dwelling = f.dwelling AND a.person_id <> f.person_id AND a.moved_on <> {OPEN}
             AND a.moved_on > COALESCE(f.last_on, f.start_on)
             AND (a.start_on <= COALESCE(f.last_on, f.start_on)
                  -- or a child first seen there after the person's last record (born, or started school there)
                  OR (NOT EXISTS (SELECT 1 FROM stays e WHERE e.person_id = a.person_id AND e.start_on < a.start_on)
                      AND date_diff('year', (SELECT date_of_birth FROM persons p WHERE p.person_id = a.person_id),
                                    a.start_on) < {child_under}))
            JOIN stays n ON n.person_id = a.person_id AND n.start_on = a.moved_on AND n.dwelling NOT LIKE 'P:%'
        ), movers AS (  -- the destination most of them moved to, when that is more than half of them
            SELECT person_id, dwelling, arg_max(destination, (n, destination)) AS destination,
                   max(n) * 2 > sum(n) AS is_majority, arg_max(moved_on, (n, destination)) AS moved_on
            FROM (SELECT person_id, dwelling, destination, count(DISTINCT mover) AS n, min(moved_on) AS moved_on
                  FROM moves GROUP BY person_id, dwelling, destination)
            GROUP BY person_id, dwelling
        ), stayers AS (  -- someone who lived there before the move and is seen there after it
            SELECT m.person_id, m.dwelling FROM movers m
            JOIN stays s ON s.dwelling = m.dwelling AND s.person_id <> m.person_id AND s.moved_on = {OPEN}
             AND s.start_on < m.moved_on AND s.last_on >= m.moved_on
        )
        SELECT m.person_id, m.destination AS dwelling, m.moved_on AS start_on
        FROM movers m
        WHERE m.is_majority
          AND NOT EXISTS (SELECT 1 FROM stayers s WHERE s.person_id = m.person_id AND s.dwelling = m.dwelling)
        """
    )
    added = int(connection.execute("SELECT count(*) FROM follows").fetchall()[0][0])
    if added:
        connection.execute(
            f"""
            UPDATE stays SET moved_on = f.start_on FROM follows f
            WHERE stays.person_id = f.person_id AND stays.moved_on = {OPEN} AND stays.start_on IS NOT NULL;
            INSERT INTO stays SELECT person_id, dwelling, start_on, {OPEN}, start_on FROM follows;
            """
        )
    return added


def _households(connection: duckdb.DuckDBPyConnection) -> None:
    """Group the stays at each dwelling into households (`household_stays`, with `household_key` and `end_on`)."""
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE household_stays AS
        WITH known AS (
            SELECT s.*, p.date_of_birth,
                   -- the time the person is known to be there
                   CASE WHEN s.moved_on <> {OPEN} THEN s.moved_on ELSE COALESCE(s.last_on, s.start_on) END
                     AS seen_until,
                   row_number() OVER (PARTITION BY s.person_id ORDER BY s.start_on) = 1 AS is_first_stay
            FROM stays s LEFT JOIN persons p USING (person_id)
        ), marked AS (
            SELECT *, CASE WHEN start_on > max(seen_until) OVER w
                            AND NOT (is_first_stay AND date_diff('year', date_of_birth, start_on) < 16)
                           THEN 1 ELSE 0 END AS is_new
            FROM known
            WINDOW w AS (PARTITION BY dwelling ORDER BY start_on NULLS FIRST, date_of_birth, person_id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        ), numbered AS (
            SELECT *, sum(is_new) OVER (PARTITION BY dwelling ORDER BY start_on NULLS FIRST, date_of_birth,
                                        person_id ROWS UNBOUNDED PRECEDING) AS household_number
            FROM marked
        )
        SELECT person_id, dwelling, start_on, moved_on, last_on,
               dwelling || '#' || CAST(household_number AS VARCHAR) AS household_key,
               -- a later household at the dwelling ends the stays still open in this one
               CASE WHEN moved_on = {OPEN} AND household_number < max(household_number) OVER (PARTITION BY dwelling)
                    THEN true ELSE false END AS displaced
        FROM numbered
        """
    )


def _left_home(connection: duckdb.DuckDBPyConnection, rules: HouseholdRules, *, table: str) -> None:
    """Young adults leave home (rows of table `left_home`: person_id, dwelling). A young adult last seen at the family
    home, while someone who lived there with them is seen after (there, or at the dwelling they moved on to), whose
    name (forename, surname, and sex where both are known) is taken by a person without a date of birth first seen
    elsewhere after that, has left: their stay ends with their last record there and they have no current household.
    The two are not joined as one person (a name alone is not enough); the household no longer counts them.

    Model v3 and v4 judge this on the households (`table` household_stays, after following). The options of ADR 0019
    (model v5 sets the first, third and last): `before_following` judges it on the stays before following, so that
    a young adult who had left does not move with the family later; `namesake_after: arrival` needs the namesake
    first seen only after the young adult arrived; `name_similarity` lets one of the two names differ by a keying
    slip; `several_namesakes` lets the young adult have several namesakes, so long as one points to them alone;
    `new_home` needs the namesake first seen at a dwelling where nobody already living there is seen on or after
    that day (a new home of their own, not the listing of a baby born into a family there)."""
    if rules.leaving_home_ages is None:
        return
    from_age, under_age = rules.leaving_home_ages
    several = "true" if rules.leaving_home_several_namesakes else "false"
    after = "x.start_on" if rules.leaving_home_namesake_after == "arrival" else "x.last_on"
    # young adults' namesakes without a date of birth: one name equal, the other equal or (option) a keying slip away;
    # as two equality joins, which DuckDB hashes (a join on similarity alone compares every pair of persons)
    namesake_of = """SELECT px.person_id AS young, pz.person_id AS namesake FROM persons px
            JOIN persons pz ON pz.date_of_birth IS NULL AND px.date_of_birth IS NOT NULL
             AND pz.person_id <> px.person_id AND (pz.sex IS NULL OR px.sex IS NULL OR pz.sex = px.sex)"""
    names = f"{namesake_of} AND pz.forename = px.forename AND pz.surname = px.surname"
    if rules.leaving_home_name_similarity is not None:
        similar = float(rules.leaving_home_name_similarity)
        names = (
            f"{namesake_of} AND pz.forename = px.forename "
            f"AND jaro_winkler_similarity(pz.surname, px.surname) >= {similar} "
            f"UNION {namesake_of} AND pz.surname = px.surname "
            f"AND jaro_winkler_similarity(pz.forename, px.forename) >= {similar}"
        )
    new_home = "true"
    if rules.leaving_home_new_home:  # nobody already living at the namesake's first dwelling is seen there after
        new_home = f"""NOT EXISTS (
            SELECT 1 FROM {table} zf JOIN {table} r ON r.dwelling = zf.dwelling AND r.person_id <> zf.person_id
             AND r.start_on < z.first_on AND COALESCE(r.last_on, r.start_on) >= z.first_on
            WHERE zf.person_id = pz.person_id AND zf.start_on = z.first_on)"""
    if table == "household_stays":  # v3 and v4: the others of the household seen after the young adult's last record
        others = """EXISTS (SELECT 1 FROM household_stays o WHERE o.household_key = x.household_key
                            AND o.person_id <> x.person_id AND o.last_on > x.last_on)"""
        open_stay = "x.moved_on = DATE '9999-12-31' AND NOT x.displaced"
    else:  # before following: someone who lived with them is seen after their last record, there or after moving on
        others = f"""EXISTS (SELECT 1 FROM stays o WHERE o.dwelling = x.dwelling AND o.person_id <> x.person_id
                            AND o.start_on <= x.last_on
                            AND (o.last_on > x.last_on OR (o.moved_on <> {OPEN} AND o.moved_on > x.last_on)))"""
        open_stay = f"x.moved_on = {OPEN} AND x.dwelling NOT LIKE 'P:%'"
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE left_home_pairs AS
        WITH firsts AS (SELECT person_id, min(start_on) AS first_on FROM {table} GROUP BY person_id),
        named AS ({names})
            SELECT DISTINCT x.person_id, x.dwelling, pz.person_id AS namesake
            FROM {table} x
            JOIN persons px ON px.person_id = x.person_id
            JOIN named n ON n.young = x.person_id
            JOIN persons pz ON pz.person_id = n.namesake
            JOIN firsts z ON z.person_id = pz.person_id AND z.first_on > {after}
            WHERE {open_stay} AND x.last_on IS NOT NULL
              AND date_diff('year', px.date_of_birth, z.first_on) >= {int(from_age)}
              AND date_diff('year', px.date_of_birth, z.first_on) < {int(under_age)}
              AND {others}
              AND NOT EXISTS (SELECT 1 FROM {table} zs WHERE zs.person_id = pz.person_id AND zs.dwelling = x.dwelling)
              AND {new_home};
        INSERT INTO left_home
        WITH pairs AS (SELECT * FROM left_home_pairs)
        -- only where the name points one way: one young adult for the namesake, and (v3, v4) one namesake for the
        -- young adult
        SELECT DISTINCT person_id, dwelling FROM pairs
        WHERE ({several} OR person_id IN (
                  SELECT person_id FROM pairs GROUP BY person_id HAVING count(DISTINCT namesake) = 1))
          AND namesake IN (SELECT namesake FROM pairs GROUP BY namesake HAVING count(DISTINCT person_id) = 1)
        """
    )


def _roles(connection: duckdb.DuckDBPyConnection, rules: HouseholdRules) -> None:
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE spells AS
        WITH aged AS (
            SELECT g.*, p.date_of_birth,
                   date_diff('year', p.date_of_birth, COALESCE(g.start_on, current_date)) AS age
            FROM household_stays g LEFT JOIN persons p USING (person_id)
        ), parents AS (
            SELECT DISTINCT a.person_id, a.household_key FROM aged a JOIN aged c
              ON a.household_key = c.household_key AND a.person_id <> c.person_id
             AND c.age < {rules.child_under} AND a.age >= 18
             AND date_diff('year', a.date_of_birth, c.date_of_birth) >= {rules.parent_min_age_gap}
        )
        SELECT a.person_id, a.household_key, a.dwelling, a.start_on,
               -- a stay ends with the person's last record there (or the day before the next stay begins, if that
               -- is earlier); a stay still open has no end
               CASE WHEN a.moved_on = {OPEN} AND NOT a.displaced THEN NULL
                    WHEN a.moved_on = {OPEN} THEN COALESCE(a.last_on, a.start_on)
                    ELSE least(COALESCE(a.last_on, a.moved_on - 1), a.moved_on - 1) END AS end_on,
               a.last_on,
               CASE WHEN a.age < {rules.child_under} THEN 'child'
                    WHEN p.person_id IS NOT NULL THEN 'adult_parent'
                    WHEN a.age < {rules.young_person_under} THEN 'young_person'
                    ELSE 'other_adult' END AS role
        FROM aged a LEFT JOIN parents p ON p.person_id = a.person_id AND p.household_key = a.household_key
        WHERE a.dwelling NOT LIKE 'P:%'
        """
    )
