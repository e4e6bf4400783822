"""Address and postcode cleaning for linkage: UK postcode unit, sector, district and area; plain address lines.

Pure functions; the format rules are the Royal Mail postcode format (outward code: area letters, district
digits and an optional letter or digit; inward code: sector digit and two unit letters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")
_ADDRESS_NOISE = re.compile(r"[^A-Z0-9 ]")
_SPACES = re.compile(r"\s+")
_HOUSE_NUMBER = re.compile(r"\b(\d+[A-Z]?)\b")

# Common abbreviations in address lines, written out so that 'Rose Rd' and 'Rose Road' compare equal.
ADDRESS_WORDS: dict[str, str] = {
    "RD": "ROAD", "ST": "STREET", "AVE": "AVENUE", "AV": "AVENUE", "LN": "LANE", "DR": "DRIVE", "CL": "CLOSE",
    "CT": "COURT", "CRES": "CRESCENT", "GDNS": "GARDENS", "GRN": "GREEN", "GR": "GROVE", "PL": "PLACE",
    "SQ": "SQUARE", "TER": "TERRACE", "TERR": "TERRACE", "WY": "WAY", "HSE": "HOUSE", "APT": "FLAT",
    "APARTMENT": "FLAT", "FLT": "FLAT", "NO": "", "NUMBER": "",
}  # fmt: skip


@dataclass(frozen=True)
class Postcode:
    """A valid UK-format postcode split into its parts ('ZZ1 2AB': district ZZ1, sector ZZ1 2, area ZZ)."""

    unit: str
    sector: str
    district: str
    area: str


def parse_postcode(value: str | None) -> Postcode | None:
    """The postcode's parts, or None when the value is not a UK-format postcode (spaces and case ignored)."""
    if not value:
        return None
    compact = re.sub(r"\s+", "", str(value)).upper()
    match = _POSTCODE.match(compact)
    if match is None:
        return None
    outward, sector_digit, unit_letters = match.groups()
    area = re.match(r"[A-Z]+", outward)
    return Postcode(
        unit=f"{outward} {sector_digit}{unit_letters}",
        sector=f"{outward} {sector_digit}",
        district=outward,
        area=area.group(0) if area else outward,
    )


def clean_address(value: str | None) -> str | None:
    """Address lines in plain upper case with punctuation dropped and common abbreviations written out."""
    if not value:
        return None
    text = _SPACES.sub(" ", _ADDRESS_NOISE.sub(" ", str(value).upper())).strip()
    words = [ADDRESS_WORDS.get(word, word) for word in text.split(" ")]
    cleaned = " ".join(word for word in words if word)
    return cleaned or None


def house_number(address: str | None) -> str | None:
    """The first house or flat number in the address ('Flat 2, 14 Rose Road' -> '2'), or None."""
    if not address:
        return None
    match = _HOUSE_NUMBER.search(str(address).upper())
    return match.group(1) if match else None


def clean_uprn(value: str | None) -> str | None:
    """A UPRN as digits without leading zeros, or None when it is empty or not a number."""
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdigit():
        return None
    stripped = text.lstrip("0")
    return stripped or None
