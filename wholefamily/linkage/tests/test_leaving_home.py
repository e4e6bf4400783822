"""Young adults leave home (engine/households.py, `_left_home`), and a closed council tax listing with nothing after it
is a move (`_closed_span_moves_out`): the rules of model v3 and v4, model v5 (ADR 0019) and the options v5 does not
use, on small hand-made histories. Each test of an option fails on the v4 rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from wholefamily.linkage.engine.definition import (
    DEFAULT_DEFINITIONS_DIR,
    HouseholdRules,
    _household_rules,
    load_definition,
)
from wholefamily.linkage.engine.households import build_households

V4 = HouseholdRules(leaving_home_ages=(18, 25))
V5 = HouseholdRules(
    leaving_home_ages=(18, 25), leaving_home_before_following=True, leaving_home_name_similarity=0.9,
    leaving_home_new_home=True, closed_span_moves_out=True,
)  # fmt: skip
OPTIONS = ("leaving_home_ages", "leaving_home_before_following", "leaving_home_namesake_after",
           "leaving_home_name_similarity", "leaving_home_several_namesakes", "leaving_home_new_home",
           "closed_span_moves_out")  # fmt: skip
PEOPLE = {  # person: (forename, surname, date of birth or None)
    "mum": ("SARAH", "SMITH", "1970-03-01"),
    "dad": ("PAUL", "SMITH", "1968-07-12"),
    "son": ("JACK", "SMITH", "1994-02-02"),
    "kid": ("EMMA", "SMITH", "2008-05-05"),
    "listing": ("JACK", "SMITH", None),  # a council tax listing elsewhere, without a date of birth
    "slip": ("JACK", "SMIHT", None),  # the same with a keying slip in the surname
    "cousin": ("JACK", "SMITH", "1995-04-04"),
    "aunt": ("MARY", "JONES", None),
    "uncle": ("TOM", "SMITH", "1985-01-01"),
}


def _current(records: list[tuple[str, str, str, str | None]], rules: HouseholdRules) -> dict[str, str | None]:
    """records: (person, dwelling, record_on, record_until or None). Returns each person's current household."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE linked (person_id VARCHAR, dwelling VARCHAR, record_on DATE, record_until DATE, uprn VARCHAR,"
        " postcode VARCHAR, address VARCHAR, postcode_district VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO linked VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL)",
        [(person, dwelling, on, until) for person, dwelling, on, until in records],
    )
    connection.execute(
        "CREATE TABLE persons (person_id VARCHAR, forename VARCHAR, surname VARCHAR, date_of_birth DATE, sex VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO persons VALUES (?, ?, ?, ?, NULL)",
        [(p, f, s, dt.date.fromisoformat(d) if d else None) for p, (f, s, d) in PEOPLE.items()],
    )
    build_households(connection, rules)
    current: dict[str, str | None] = {person: None for person in PEOPLE}
    rows = connection.execute("SELECT person_id, household_key FROM spells WHERE end_on IS NULL").fetchall()
    current.update(dict(rows))
    return current


FAMILY = [
    ("mum", "U:1", "2013-01-01", "2017-03-31"),
    ("dad", "U:1", "2013-01-01", "2017-03-31"),
    ("kid", "U:1", "2013-09-01", None),
    ("kid", "U:1", "2015-09-01", None),
    ("son", "U:1", "2013-05-01", None),
    ("son", "U:1", "2014-06-01", None),
]


def test_a_young_adult_whose_name_is_listed_elsewhere_after_their_last_record_has_left() -> None:
    records = [*FAMILY, ("listing", "U:3", "2015-01-01", "9999-12-31"), ("kid", "U:1", "2016-09-01", None)]
    for rules in (V4, V5):
        current = _current(records, rules)
        assert current["son"] is None and current["kid"] == current["mum"] == "U:1#0"


def test_a_young_adult_who_had_left_does_not_move_with_the_family_later() -> None:
    records = [
        *FAMILY,
        ("listing", "U:3", "2015-01-01", "9999-12-31"),
        ("mum", "U:2", "2017-04-01", "9999-12-31"),
        ("dad", "U:2", "2017-04-01", "9999-12-31"),
        ("kid", "U:2", "2017-09-01", None),
    ]
    assert _current(records, V4)["son"] == "U:2#0"  # v4: moved with the family, then too late to have left
    current = _current(records, V5)
    assert current["son"] is None and current["kid"] == current["mum"] == "U:2#0"


def test_a_stale_home_address_after_the_listing_elsewhere_does_not_keep_the_young_adult_at_home() -> None:
    records = [
        *FAMILY,
        ("listing", "U:3", "2015-01-01", "9999-12-31"),
        ("son", "U:1", "2015-06-01", None),  # the GP still had the home address
        ("kid", "U:1", "2016-09-01", None),
    ]
    assert _current(records, V4)["son"] == "U:1#0"
    assert _current(records, V5)["son"] == "U:1#0"  # v5 does not take this option
    assert _current(records, replace(V5, leaving_home_namesake_after="arrival"))["son"] is None


def test_a_keying_slip_in_one_name_still_points_to_the_young_adult() -> None:
    records = [*FAMILY, ("slip", "U:3", "2015-01-01", "9999-12-31"), ("kid", "U:1", "2016-09-01", None)]
    assert _current(records, V4)["son"] == "U:1#0"
    assert _current(records, V5)["son"] is None


def test_a_namesake_of_two_young_adults_points_nowhere() -> None:
    records = [
        *FAMILY,
        ("listing", "U:3", "2015-01-01", "9999-12-31"),
        ("kid", "U:1", "2016-09-01", None),
        ("cousin", "U:5", "2013-05-01", None),  # another young Jack Smith, at another home
        ("aunt", "U:5", "2013-05-01", "9999-12-31"),
    ]
    for rules in (V4, V5):
        current = _current(records, rules)
        assert current["son"] == "U:1#0" and current["cousin"] == "U:5#0"


def test_two_namesakes_point_nowhere_in_v4_and_to_the_young_adult_in_the_candidate() -> None:
    records = [
        *FAMILY,
        ("listing", "U:3", "2015-01-01", "9999-12-31"),
        ("slip", "U:4", "2015-02-01", "9999-12-31"),
        ("kid", "U:1", "2016-09-01", None),
    ]
    assert _current(records, replace(V5, leaving_home_name_similarity=None))["son"] is None  # one namesake: left
    assert _current(records, replace(V4, leaving_home_name_similarity=0.9))["son"] == "U:1#0"  # two: not in v4
    assert _current(records, V5)["son"] == "U:1#0"  # v5 does not take this option
    several = replace(V5, leaving_home_several_namesakes=True)
    assert _current(records, several)["son"] is None  # each of the two points to Jack alone


def test_a_listing_at_a_home_already_lived_in_is_not_the_young_adult_leaving() -> None:
    # a council tax listing of a baby Jack Smith born into the family of Tom Smith, who already lives at U:6
    records = [
        *FAMILY,
        ("uncle", "U:6", "2013-02-01", "9999-12-31"),
        ("uncle", "U:6", "2016-05-01", None),
        ("listing", "U:6", "2015-01-01", "9999-12-31"),
        ("kid", "U:1", "2016-09-01", None),
    ]
    assert _current(records, V4)["son"] is None  # v4: taken as Jack's own home
    current = _current(records, V5)
    assert current["son"] == "U:1#0" and current["uncle"] == current["listing"] == "U:6#0"
    # at a dwelling whose earlier people were last seen before the listing, the listing is a new home of Jack's
    records = [*records[:-4], ("uncle", "U:6", "2013-02-01", "2014-06-30"), *records[-2:]]
    assert _current(records, V5)["son"] is None


def test_a_closed_listing_with_nothing_after_it_is_a_move_out() -> None:
    family = [
        ("mum", "U:1", "2013-01-01", "2015-06-30"),  # her listing closed; she is seen nowhere after
        ("dad", "U:1", "2013-01-01", "9999-12-31"),
        ("kid", "U:1", "2013-09-01", None),
        ("kid", "U:1", "2016-09-01", None),
    ]
    assert _current(family, V4)["mum"] == "U:1#0"  # v4: at the family home for good
    current = _current(family, V5)
    assert current["mum"] is None and current["dad"] == current["kid"] == "U:1#0"
    # a later record anywhere, even at that dwelling (stale after the close, so not dating her stay), keeps her
    assert _current([*family, ("mum", "U:9", "2016-01-01", None)], V5)["mum"] == "U:9#0"
    assert _current([*family, ("mum", "U:1", "2016-01-01", None)], V5)["mum"] == "U:1#0"
    # a listing that closes on the last day of the data is not yet a move
    assert _current([*family[:1], ("dad", "U:1", "2013-01-01", "9999-12-31"), ("kid", "U:1", "2013-09-01", None),
                     ("kid", "U:1", "2015-06-30", None)], V5)["mum"] == "U:1#0"  # fmt: skip


def test_the_rules_are_read_from_the_definition_off_in_model_v4_and_on_in_model_v5() -> None:
    rules = load_definition(Path(DEFAULT_DEFINITIONS_DIR) / "linkage" / "model-v4.yaml").households
    assert rules == replace(rules, **{field: getattr(V4, field) for field in OPTIONS})
    v5 = load_definition(Path(DEFAULT_DEFINITIONS_DIR) / "linkage" / "model-v5.yaml").households
    assert {field: getattr(v5, field) for field in OPTIONS} == {field: getattr(V5, field) for field in OPTIONS}
    every = _household_rules(
        {"closed_span_moves_out": True,
         "leaving_home": {"from_age": 18, "under_age": 25, "before_following": True, "namesake_after": "arrival",
                          "name_similarity": 0.9, "several_namesakes": True, "new_home": True}}
    )  # fmt: skip
    expected = replace(V5, leaving_home_namesake_after="arrival", leaving_home_several_namesakes=True)
    assert {field: getattr(every, field) for field in OPTIONS} == {field: getattr(expected, field) for field in OPTIONS}
    with pytest.raises(ValueError, match="namesake_after"):
        _household_rules({"leaving_home": {"from_age": 18, "under_age": 25, "namesake_after": "soon"}})
