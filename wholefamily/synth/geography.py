"""The fictional county's dwellings: districts, wards, streets, postcodes, UPRNs (definitions/synth/geography.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


@dataclass(frozen=True)
class Dwellings:
    uprn: np.ndarray  # int64
    uprn_text: pa.Array  # the same as strings
    ward: np.ndarray  # int16 index into ward_names
    address: pa.Array  # string: house number, street, ward, district (no postcode)
    postcode: pa.Array  # string
    ward_names: tuple[str, ...]
    ward_districts: np.ndarray  # int16 index into district_names, per ward
    district_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.uprn)


def _wards(geography: dict[str, Any]) -> tuple[list[str], list[int], list[str], np.ndarray]:
    ward_names: list[str] = []
    ward_districts: list[int] = []
    district_names: list[str] = []
    weights: list[float] = []
    for index, district in enumerate(geography["districts"]):
        district_names.append(district["name"])
        for ward in district["wards"]:
            ward_names.append(ward)
            ward_districts.append(index)
            weights.append(float(district["share"]) / len(district["wards"]))
    if len(ward_names) > 98:
        raise ValueError("at most 98 wards: one outward postcode each, ZZ99 excluded")
    return ward_names, ward_districts, district_names, np.array(weights) / sum(weights)


def build_dwellings(rng: np.random.Generator, geography: dict[str, Any], *, count: int) -> Dwellings:
    """`count` dwellings spread over the wards by district share, each with a street address and a postcode."""
    ward_names, ward_districts, district_names, weights = _wards(geography)
    per_ward = rng.multinomial(count, weights)
    ward = np.repeat(np.arange(len(ward_names), dtype=np.int16), per_ward)
    streets_per_ward = int(geography["streets_per_ward"])
    stems = geography["street_stems"]
    kinds = geography["street_kinds"]
    # Street names: distinct stem-kind pairs within each ward.
    street_names: list[str] = []
    for _ in ward_names:
        combos = rng.choice(len(stems) * len(kinds), size=streets_per_ward, replace=False)
        street_names.extend(f"{stems[c // len(kinds)]} {kinds[c % len(kinds)]}" for c in combos)
    street_in_ward = rng.integers(0, streets_per_ward, size=count)
    street = ward.astype(np.int64) * streets_per_ward + street_in_ward
    order = np.lexsort((street,))
    ward, street = ward[order], street[order]
    # House numbers count up along each street; postcodes cover runs of consecutive dwellings.
    first_of_street = np.r_[True, street[1:] != street[:-1]]
    street_start = np.maximum.accumulate(np.where(first_of_street, np.arange(count), 0))
    number = np.arange(count) - street_start + 1
    per_postcode = int(geography["addresses_per_postcode"])
    unit = (number - 1) // per_postcode
    first_of_unit = np.r_[True, (street[1:] != street[:-1]) | (unit[1:] != unit[:-1])]
    unit_id = np.cumsum(first_of_unit) - 1
    first_of_ward = np.r_[True, ward[1:] != ward[:-1]]
    ward_unit_start = np.maximum.accumulate(np.where(first_of_ward, unit_id, 0))
    inward_seq = unit_id - ward_unit_start
    if inward_seq.max(initial=0) >= 4000:
        raise ValueError("too many postcodes in one ward: raise addresses_per_postcode")
    # Scramble inward codes within a ward so neighbouring streets do not get neighbouring codes.
    scramble = rng.permutation(4000)
    inward = scramble[inward_seq]
    area = geography["postcode_area"]
    outward = np.array([f"{area}{w + 1}" for w in range(len(ward_names))], dtype=object)[ward]
    inward_text = (
        (inward // 400).astype(str).astype(object)
        + INWARD_LETTERS[(inward // 20) % 20].astype(object)
        + INWARD_LETTERS[inward % 20].astype(object)
    )
    postcode = pa.array(outward + " " + inward_text, type=pa.string())
    district_of_ward = np.array(ward_districts, dtype=np.int16)
    locality = np.array(
        [f"{w}, {district_names[d]}" for w, d in zip(ward_names, ward_districts, strict=True)], dtype=object
    )
    street_text = pa.array(np.asarray(street_names, dtype=object)[street], type=pa.string())
    address = pc.binary_join_element_wise(
        pc.binary_join_element_wise(pa.array(number.astype(str), type=pa.string()), street_text, " "),
        pa.array(locality[ward], type=pa.string()),
        ", ",
    )
    uprn = int(geography["uprn_first"]) + rng.permutation(count).astype(np.int64)
    return Dwellings(
        uprn=uprn,
        uprn_text=pa.array(uprn).cast(pa.string()),
        ward=ward,
        address=address,
        postcode=postcode,
        ward_names=tuple(ward_names),
        ward_districts=district_of_ward,
        district_names=tuple(district_names),
    )
