"""Typo-tolerant name matching for the search: the linkage's cleaning, nicknames and an edit-distance allowance."""

from __future__ import annotations

import pytest

from wholefamily.domain.names import NicknameTable, edit_distance, is_close_forename, is_close_surname

NICKNAMES = NicknameTable.from_mapping(version=1, nicknames={"William": ["Bill", "Will"], "Elizabeth": ["Liz"]})


@pytest.mark.parametrize(
    ("left", "right", "distance"),
    [("", "", 0), ("OKAFOR", "OKAFOR", 0), ("OKAFOR", "OKAFR", 1), ("OKAFOR", "OKFAOR", 1), ("SMITH", "SMYTHE", 2),
     ("ABC", "", 3)],
)  # fmt: skip
def test_edit_distance(left, right, distance):
    assert edit_distance(left, right) == distance == edit_distance(right, left)


@pytest.mark.parametrize(
    ("searched", "recorded", "is_found"),
    [
        ("Okafor", "OKAFOR", True),
        ("okafr", "Okafor", True),  # one letter missing
        ("Okfaor", "Okafor", True),  # two letters swapped
        ("O'Brien", "OBRIEN", True),  # cleaned as linkage cleans
        ("Jones", "Smith-Jones", True),  # one part of a double-barrelled name
        ("Fernandez-Lopez", "Fernandes-Lopes", True),  # two slips in a long name
        ("Ng", "Ny", False),  # short names must be exact
        ("Smith", "Smythe", False),
        ("", "Smith", False),
        ("Smith", None, False),
    ],
)
def test_close_surnames(searched, recorded, is_found):
    assert is_close_surname(searched, recorded) is is_found


@pytest.mark.parametrize(
    ("searched", "recorded", "is_found"),
    [("Bill", "William", True), ("william", "Will", True), ("Lizzy", "Liz", False), ("Elizabth", "Elizabeth", True),
     ("Amy", "Ann", False), ("Amy", "AMY", True)],
)  # fmt: skip
def test_close_forenames(searched, recorded, is_found):
    assert is_close_forename(searched, recorded, nicknames=NICKNAMES) is is_found
