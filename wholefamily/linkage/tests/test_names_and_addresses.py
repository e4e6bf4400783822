"""Pure name and postcode cleaning used before Splink compares records."""

from __future__ import annotations

import pytest

from wholefamily.domain.addresses import clean_address, clean_uprn, house_number, parse_postcode
from wholefamily.domain.names import NicknameTable, clean_forename, clean_surname, plain_text, surname_parts
from wholefamily.linkage.engine.definition import load_nicknames


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Zoë ", "ZOE"), ("O'Brien", "OBRIEN"), ("smith--jones", "SMITH--JONES"), (None, ""), ("1234", "")],
)
def test_plain_text(raw: str | None, expected: str) -> None:
    assert plain_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "forename"), [("Mary-Jane", "MARY-JANE"), ("john paul", "JOHN"), ("", None), ("  ", None)]
)
def test_clean_forename(raw: str, forename: str | None) -> None:
    assert clean_forename(raw) == forename


@pytest.mark.parametrize(
    ("raw", "surname", "parts"),
    [
        ("Smith-Jones", "SMITH-JONES", ["SMITH", "JONES"]),
        ("Smith Jones", "SMITH-JONES", ["SMITH", "JONES"]),
        ("smith - jones", "SMITH-JONES", ["SMITH", "JONES"]),
        ("O'Neill", "ONEILL", ["ONEILL"]),
        (None, None, []),
    ],
)
def test_surnames(raw: str | None, surname: str | None, parts: list[str]) -> None:
    assert clean_surname(raw) == surname
    assert surname_parts(raw) == parts


def test_nickname_keys_cover_short_forms_in_both_directions() -> None:
    table = NicknameTable.from_mapping(version=1, nicknames={"William": ["Bill", "Liam"], "Christopher": ["Chris"]})
    assert table.keys("bill") == ["BILL", "WILLIAM"]
    assert table.keys("William") == ["WILLIAM"]
    assert table.is_same_name("Bill", "William")
    assert table.is_same_name("Liam", "Bill")  # both short for William
    assert not table.is_same_name("Chris", "William")
    assert table.keys(None) == []


def test_shipped_nickname_table_has_ambiguous_short_forms() -> None:
    table = load_nicknames()
    assert {"CHRISTINE", "CHRISTOPHER"} <= set(table.keys("Chris"))
    assert table.is_same_name("Liz", "Elizabeth")
    assert table.version >= 1


@pytest.mark.parametrize(
    ("raw", "unit", "sector", "district", "area"),
    [
        ("zz1 2ab", "ZZ1 2AB", "ZZ1 2", "ZZ1", "ZZ"),
        ("ZZ12AB", "ZZ1 2AB", "ZZ1 2", "ZZ1", "ZZ"),
        ("SW1A 1AA", "SW1A 1AA", "SW1A 1", "SW1A", "SW"),
        ("M1 1AE", "M1 1AE", "M1 1", "M1", "M"),
        ("ZZ99 9ZZ", "ZZ99 9ZZ", "ZZ99 9", "ZZ99", "ZZ"),
    ],
)
def test_parse_postcode(raw: str, unit: str, sector: str, district: str, area: str) -> None:
    postcode = parse_postcode(raw)
    assert postcode is not None
    assert (postcode.unit, postcode.sector, postcode.district, postcode.area) == (unit, sector, district, area)


@pytest.mark.parametrize("raw", ["", None, "not a postcode", "ZZ1", "1ZZ 2AB", "ZZ1 ABC"])
def test_parse_postcode_rejects_what_is_not_a_postcode(raw: str | None) -> None:
    assert parse_postcode(raw) is None


def test_clean_address_and_house_number() -> None:
    assert clean_address("14, Rose Rd.") == "14 ROSE ROAD"
    assert clean_address("Flat 2 , 14 Rose Road") == "FLAT 2 14 ROSE ROAD"
    assert clean_address("  ") is None
    assert house_number("Flat 2, 14 Rose Road") == "2"
    assert house_number("14a Rose Road") == "14A"
    assert house_number("Rose Cottage") is None


@pytest.mark.parametrize(
    ("raw", "uprn"), [("000123", "123"), ("  987 ", "987"), ("abc", None), ("", None), ("0", None)]
)
def test_clean_uprn(raw: str, uprn: str | None) -> None:
    assert clean_uprn(raw) == uprn
