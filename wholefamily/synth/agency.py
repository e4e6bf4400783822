"""Agency files: each kind's true records given the agency's identities, per-record noise and the contract's columns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from wholefamily.domain.contract import Contract
from wholefamily.synth.definitions import AgencyNoise
from wholefamily.synth.geography import Dwellings
from wholefamily.synth.noise import Register, exact_pick

KIND_PREFIX = {
    "school_attendance": "SAT",
    "exclusions": "EXC",
    "alternative_provision": "APV",
    "children_missing_education": "CME",
    "offences": "OFF",
    "asb_interventions": "ASB",
    "custody_and_supervision": "CUS",
    "domestic_abuse": "DAB",
    "benefits": "BEN",
    "employment": "EMP",
    "work_programme_esf": "WPE",
    "neet": "NEE",
    "health": "HLT",
    "social_care": "CSC",
    "missing_episodes": "MIS",
    "housing": "HSG",
    "council_tax": "CTX",
}


@dataclass(frozen=True)
class AddressBook:
    """Every person's addresses over time, sorted by person then start, for look-ups by date."""

    person: np.ndarray
    start: np.ndarray
    end: np.ndarray
    dwelling: np.ndarray

    def at(self, people: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The dwelling on each day and the one before it (-1 when there was none)."""
        keys = self.person.astype(np.int64) * 100_000 + self.start
        position = np.searchsorted(keys, people.astype(np.int64) * 100_000 + days, side="right") - 1
        position = np.maximum(position, 0)
        first = np.searchsorted(self.person, people, side="left")
        wrong = self.person[position] != people
        position = np.where(wrong, first, position)
        previous = position - 1
        has_previous = (previous >= first) & (self.dwelling[np.maximum(previous, 0)] != self.dwelling[position])
        return self.dwelling[position], np.where(has_previous, self.dwelling[np.maximum(previous, 0)], -1)


def _date_array(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Day numbers as dates; -1 (or `mask`, for dates that may be before 1970) marks an empty cell."""
    days = np.asarray(days, dtype=np.int32)
    return pa.array(days, type=pa.date32(), mask=days < 0 if mask is None else mask)


def _column_array(values: np.ndarray, column_type: str) -> pa.Array:
    if column_type == "date":
        return _date_array(values)
    if column_type == "boolean":
        return pa.array(np.asarray(values, dtype=bool))
    if column_type == "integer":
        return pa.array(np.asarray(values, dtype=np.int64))
    if column_type == "decimal":
        values = np.asarray(values, dtype=np.float64)
        return pa.array(values, mask=np.isnan(values))
    if values.dtype.kind in "iu":
        return pa.array(values).cast(pa.string())
    return pa.array(values, type=pa.string(), from_pandas=True)


@dataclass
class KindFile:
    kind: str
    rows: int
    source_record_id: pa.Array
    person: np.ndarray
    recorded_on: np.ndarray  # the day the record's address refers to
    source_person_id: pa.Array
    noise: pa.Array


def write_kind(
    rng: np.random.Generator,
    *,
    kind: str,
    table: dict[str, np.ndarray],
    contract: Contract,
    agency: AgencyNoise,
    register: Register,
    addresses: AddressBook,
    dwellings: Dwellings,
    sex: np.ndarray,
    out_dir: Path,
) -> KindFile:
    """Write `<kind>.csv` with the contract's columns, in contract order; return the source map of its records."""
    order = np.lexsort((table["person"], table["on"]))
    table = {key: value[order] for key, value in table.items()}
    people = table["person"].astype(np.int32)
    n = len(people)
    rows = register.rows_of(people)
    rates = agency.rates
    flags: dict[str, np.ndarray] = {}
    take = pa.array(rows)

    def held(values: np.ndarray) -> pa.Array:
        return pa.array(values, type=pa.string(), from_pandas=True).take(take)

    # Duplicate registrations: about half of such a person's records carry the second id.
    has_alternate = pc.is_valid(held(register.alternate_id)).to_numpy(zero_copy_only=False)
    use_alternate = has_alternate & (rng.random(n) < 0.5)
    flags["alternate_person_id"] = use_alternate
    alternate = pa.array(use_alternate)
    no_address = np.zeros(n, dtype=bool)
    no_address[exact_pick(rng, np.ones(n, dtype=bool), rates["missing_address"])] = True
    flags["missing_address"] = no_address
    dwelling, previous = addresses.at(people, table["on"])
    stale = np.zeros(n, dtype=bool)
    stale[exact_pick(rng, (previous >= 0) & ~no_address, rates["stale_address"])] = True
    dwelling = np.where(stale, previous, dwelling)
    flags["stale_address"] = stale
    no_dob = np.zeros(n, dtype=bool)
    no_dob[exact_pick(rng, np.ones(n, dtype=bool), rates["missing_dob"])] = True
    flags["missing_dob"] = no_dob
    has_uprn = np.zeros(n, dtype=bool)
    has_uprn[exact_pick(rng, ~no_address, agency.uprn_known)] = True

    dwelling_index = pa.array(dwelling)
    blank = pa.scalar(None, pa.string())
    hidden = pa.array(no_address)
    columns: dict[str, pa.Array] = {
        "source_record_id": pc.binary_join_element_wise(
            KIND_PREFIX[kind], pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), 9, "0"), ""
        ),
        "source_person_id": pc.if_else(alternate, held(register.alternate_id), held(register.source_person_id)),
        "forename": held(register.forename),
        "surname": held(register.surname),
        "date_of_birth": _date_array(register.dob[rows], mask=no_dob),
        "sex": pa.array(["F", "M"], type=pa.string()).take(pa.array(sex[people])),
        "address": pc.if_else(hidden, blank, dwellings.address.take(dwelling_index))
        if agency.has_address_lines
        else pa.nulls(n, type=pa.string()),
        "postcode": pc.if_else(hidden, blank, dwellings.postcode.take(dwelling_index)),
        "uprn": pc.if_else(pa.array(has_uprn), dwellings.uprn_text.take(dwelling_index), blank),
    }
    if agency.identifier and register.identifier is not None:
        assert register.alternate_identifier is not None
        identifier = pc.if_else(alternate, held(register.alternate_identifier), held(register.identifier))
        missing_id = np.zeros(n, dtype=bool)
        missing_id[exact_pick(rng, np.ones(n, dtype=bool), rates["missing_identifier"])] = True
        flags["missing_identifier"] = missing_id
        columns[agency.identifier] = pc.if_else(pa.array(missing_id), blank, identifier)
    arrays, names = [], []
    for column in contract.columns:
        if column.name in columns:
            array = columns[column.name]
        elif column.name in table:
            array = _column_array(table[column.name], str(column.type))
        elif not column.is_required:
            array = pa.nulls(n, type=pa.string())
        else:
            raise ValueError(f"{kind}: the generator makes no values for required column {column.name}")
        arrays.append(array)
        names.append(column.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(
        pa.Table.from_arrays(arrays, names=names),
        out_dir / f"{kind}.csv",
        write_options=pacsv.WriteOptions(quoting_style="needed"),
    )
    parts = [held(register.noise)] + [pc.if_else(pa.array(flag), name, "") for name, flag in flags.items()]
    noise = pc.utf8_trim(pc.replace_substring_regex(pc.binary_join_element_wise(*parts, ";"), ";;+", ";"), ";")
    return KindFile(
        kind=kind,
        rows=n,
        source_record_id=columns["source_record_id"],
        person=people,
        recorded_on=table["on"].astype(np.int32),
        source_person_id=columns["source_person_id"],
        noise=noise,
    )
