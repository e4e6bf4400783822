"""Households from linked records, rule by rule, on small hand-made histories (engine/households.py)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from wholefamily.linkage.engine.definition import HouseholdRules
from wholefamily.linkage.engine.households import build_households

BORN = {
    "mum": "1985-03-01",
    "dad": "1983-07-12",
    "kid": "2008-05-05",
    "kid2": "2010-09-09",
    "old": "1950-01-01",
    "son": "1994-02-02",
}


def _households(records: list[tuple[str, str, str, str | None]]) -> dict[str, list[tuple[str, str | None, str]]]:
    """records: (person, dwelling, record_on, record_until or None). Returns each person's memberships as
    (dwelling, end_on, household_key) in start order."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE linked (person_id VARCHAR, dwelling VARCHAR, record_on DATE, record_until DATE, uprn VARCHAR,"
        " postcode VARCHAR, address VARCHAR, postcode_district VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO linked VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL)",
        [(person, dwelling, on, until) for person, dwelling, on, until in records],
    )
    connection.execute("CREATE TABLE persons (person_id VARCHAR, date_of_birth DATE)")
    connection.executemany(
        "INSERT INTO persons VALUES (?, ?)", [(p, dt.date.fromisoformat(d)) for p, d in BORN.items()]
    )
    build_households(connection, HouseholdRules())
    out: dict[str, list[tuple[str, str | None, str]]] = {}
    for person, dwelling, end_on, key in connection.execute(
        "SELECT person_id, dwelling, end_on, household_key FROM spells ORDER BY person_id, start_on"
    ).fetchall():
        out.setdefault(person, []).append((dwelling, end_on.isoformat() if end_on else None, key))
    return out


def _current(memberships: dict[str, list[tuple[str, str | None, str]]], person: str) -> str | None:
    return next((key for _, end_on, key in memberships.get(person, []) if end_on is None), None)


def test_a_stale_address_after_a_move_does_not_move_the_person_back() -> None:
    result = _households(
        [
            ("mum", "U:1", "2015-01-01", "2016-03-31"),  # listed at U:1, then at U:2
            ("mum", "U:2", "2016-04-01", "9999-12-31"),
            ("kid", "U:1", "2015-09-01", None),
            ("kid", "U:1", "2016-01-01", None),
            ("kid", "U:2", "2016-04-01", None),
            ("kid", "U:2", "2016-09-01", None),
            ("kid", "U:1", "2017-01-01", None),  # the school still had the old address
        ]
    )
    assert _current(result, "mum") == "U:2#0"
    assert [dwelling for dwelling, _, _ in result["kid"]] == ["U:1", "U:2"]
    assert _current(result, "kid") == "U:2#0"
    assert result["kid"][0][1] == "2016-01-01"  # the stay at U:1 ends with its last record before the move


def test_a_parent_last_seen_before_the_move_follows_the_children() -> None:
    result = _households(
        [
            ("dad", "U:1", "2014-01-01", None),  # one old record, nothing since
            ("kid", "U:1", "2014-02-01", None),
            ("kid", "U:1", "2016-01-01", None),
            ("kid2", "U:1", "2014-02-01", None),
            ("kid2", "U:1", "2016-01-01", None),
            ("kid", "U:2", "2016-09-01", None),
            ("kid", "U:2", "2017-09-01", None),
            ("kid2", "U:2", "2016-09-01", None),
            ("kid2", "U:2", "2017-09-01", None),
        ]
    )
    assert _current(result, "dad") == _current(result, "kid") == _current(result, "kid2")
    assert [dwelling for dwelling, _, _ in result["dad"]] == ["U:1", "U:2"]


def test_a_child_seen_once_where_no_adult_is_seen_is_at_a_stale_address() -> None:
    result = _households(
        [
            ("mum", "U:1", "2014-01-01", "9999-12-31"),
            ("kid", "U:1", "2014-02-01", None),
            ("kid", "U:1", "2016-01-01", None),
            ("kid", "U:7", "2017-01-01", None),  # an address the family left before the data begins
        ]
    )
    assert [dwelling for dwelling, _, _ in result["kid"]] == ["U:1"]
    assert _current(result, "kid") == _current(result, "mum") == "U:1#0"


def test_children_move_with_their_adults_despite_later_stale_records() -> None:
    result = _households(
        [
            ("mum", "U:1", "2014-01-01", "2016-08-31"),
            ("mum", "U:2", "2016-09-01", "9999-12-31"),
            ("dad", "U:1", "2014-01-01", "2016-08-31"),
            ("dad", "U:2", "2016-09-01", "9999-12-31"),
            ("kid", "U:1", "2014-02-01", None),
            ("kid", "U:1", "2016-01-01", None),
            ("kid", "U:1", "2017-01-01", None),  # the school never caught up
            ("kid", "U:1", "2017-06-01", None),
        ]
    )
    assert _current(result, "kid") == _current(result, "mum") == _current(result, "dad") == "U:2#0"


def test_nobody_follows_when_someone_they_lived_with_stayed() -> None:
    result = _households(
        [
            ("dad", "U:1", "2014-01-01", None),
            ("mum", "U:1", "2014-01-01", None),
            ("mum", "U:1", "2017-06-01", None),  # mum is seen at U:1 after their son left home
            ("son", "U:1", "2014-02-01", None),
            ("son", "U:1", "2016-01-01", None),
            ("son", "U:2", "2016-09-01", None),
            ("son", "U:2", "2017-09-01", None),
        ]
    )
    assert _current(result, "dad") == _current(result, "mum") == "U:1#0"
    assert _current(result, "son") == "U:2#0"


def test_a_new_household_at_a_dwelling_ends_the_stay_of_those_last_seen_there_before_it() -> None:
    result = _households(
        [
            ("old", "U:1", "2014-01-01", None),
            ("old", "U:1", "2014-05-01", None),
            ("mum", "U:9", "2014-01-01", None),
            ("mum", "U:1", "2016-01-01", None),
            ("mum", "U:1", "2017-01-01", None),
        ]
    )
    assert _current(result, "mum") == "U:1#1"
    assert _current(result, "old") is None  # moved away, destination unknown
    assert result["old"] == [("U:1", "2014-05-01", "U:1#0")]


def test_a_child_first_seen_at_a_dwelling_joins_the_household_there() -> None:
    result = _households(
        [
            ("mum", "U:1", "2013-10-01", None),  # sparse: one record
            ("kid2", "U:1", "2015-09-01", None),  # starts school: first record anywhere
            ("kid2", "U:1", "2016-09-01", None),
        ]
    )
    assert _current(result, "mum") == _current(result, "kid2") == "U:1#0"


def test_a_listing_span_keeps_the_person_at_the_address_until_it_ends() -> None:
    result = _households(
        [
            ("old", "U:1", "2013-09-01", "2017-03-01"),  # listed at U:1 until March 2017
            ("mum", "U:1", "2016-01-01", None),  # arrives while old is still listed: one household
            ("mum", "U:1", "2017-06-01", None),
            ("dad", "U:5", "2013-09-01", None),
            ("dad", "U:5", "2016-01-01", None),
        ]
    )
    assert result["old"][0][2] == result["mum"][0][2] == "U:1#0"
    assert _current(result, "old") == "U:1#0"  # a span's end is its last record there, not a move


@pytest.mark.parametrize("until", [None, "2018-01-01"])
def test_an_open_listing_reaches_the_latest_date_in_the_data(until: str | None) -> None:
    result = _households(
        [
            ("dad", "U:1", "2014-01-01", "9999-12-31"),  # open listing
            ("mum", "U:2", "2014-01-01", None),
            ("mum", "U:1", "2017-06-01", None),  # arrives after 2014: joins dad only if his listing is still open
            ("mum", "U:1", "2018-06-01", until),
        ]
    )
    assert _current(result, "mum") == _current(result, "dad") == "U:1#0"


def test_a_closed_council_tax_listing_ends_the_stay_and_later_records_there_are_stale() -> None:
    result = _households(
        [
            ("mum", "U:1", "2014-01-01", "2016-03-31"),  # the family's joint listing at U:1 closes
            ("dad", "U:1", "2014-01-01", "2016-03-31"),
            ("mum", "U:2", "2016-04-01", "9999-12-31"),  # only mum is listed at U:2
            ("kid", "U:1", "2015-01-01", None),
            ("kid", "U:2", "2016-09-01", None),
            ("kid", "U:2", "2017-09-01", None),
            ("dad", "U:1", "2017-06-01", None),  # a police record with the old address, after the listing closed
        ]
    )
    assert _current(result, "dad") == "U:2#0"  # he moved with the family; the later record at U:1 is stale
    assert _current(result, "mum") == _current(result, "kid") == "U:2#0"


def test_a_later_record_at_the_households_earlier_dwelling_does_not_move_a_person_back_there() -> None:
    result = _households(
        [
            ("mum", "U:1", "2014-01-01", "2015-06-30"),
            ("mum", "U:2", "2015-07-01", "9999-12-31"),
            ("kid2", "U:1", "2014-09-01", None),
            ("kid2", "U:2", "2015-09-01", None),
            ("kid2", "U:1", "2016-01-01", None),  # the school still had the old address, twice
            ("kid2", "U:1", "2016-09-01", None),
            ("son", "U:2", "2015-09-01", None),  # a young adult first seen after the move
            ("son", "U:2", "2016-09-01", None),
            ("son", "U:1", "2017-01-01", None),  # two records with the family's earlier address
            ("son", "U:1", "2017-06-01", None),
        ]
    )
    assert [dwelling for dwelling, _, _ in result["son"]] == ["U:2"]
    assert _current(result, "son") == _current(result, "mum") == _current(result, "kid2") == "U:2#0"


def test_an_adult_without_a_date_of_birth_keeps_the_child_at_home() -> None:
    result = _households(
        [
            ("nodob", "U:1", "2014-01-01", "9999-12-31"),  # mother, listed without a date of birth, stays
            ("dad", "U:1", "2014-01-01", "2016-03-31"),  # step-father leaves
            ("dad", "U:2", "2016-04-01", "9999-12-31"),
            ("kid", "U:1", "2014-09-01", None),
            ("kid", "U:1", "2016-09-01", None),
            ("kid", "U:1", "2017-09-01", None),
        ]
    )
    assert _current(result, "kid") == _current(result, "nodob") == "U:1#0"
    assert _current(result, "dad") == "U:2#0"


def test_an_adult_unseen_since_before_the_move_does_not_hold_the_child_back() -> None:
    result = _households(
        [
            ("mum", "U:1", "2014-01-01", "2017-03-31"),
            ("dad", "U:1", "2014-01-01", "2017-03-31"),
            ("mum", "U:2", "2017-04-01", "9999-12-31"),
            ("dad", "U:2", "2017-04-01", "9999-12-31"),
            ("son", "U:1", "2014-05-01", None),  # a young adult last seen in 2014, never seen to move
            ("kid", "U:1", "2014-09-01", None),
            ("kid", "U:1", "2016-09-01", None),
            ("kid", "U:1", "2017-09-01", None),  # the school's stale address after the move
        ]
    )
    assert _current(result, "kid") == _current(result, "mum") == "U:2#0"
