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
    return pa.array(values, type=pa.string(), from_pandas=True)


@dataclass
class KindFile:
    kind: str
    rows: int
    source_record_id: np.ndarray
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
    noise: list[list[str]] = [[] for _ in range(n)]

    def mark(picked: np.ndarray, name: str) -> None:
        for index in picked.tolist():
            noise[index].append(name)

    # Duplicate registrations: about half of such a person's records carry the second id.
    use_alternate = (register.alternate_id[rows] != None) & (rng.random(n) < 0.5)  # noqa: E711
    spid = np.where(use_alternate, register.alternate_id[rows], register.source_person_id[rows])
    mark(np.flatnonzero(use_alternate), "alternate_person_id")
    no_address = np.zeros(n, dtype=bool)
    no_address[exact_pick(rng, np.ones(n, dtype=bool), rates["missing_address"])] = True
    mark(np.flatnonzero(no_address), "missing_address")
    dwelling, previous = addresses.at(people, table["on"])
    stale = exact_pick(rng, (previous >= 0) & ~no_address, rates["stale_address"])
    dwelling[stale] = previous[stale]
    mark(stale, "stale_address")
    no_dob = np.zeros(n, dtype=bool)
    no_dob[exact_pick(rng, np.ones(n, dtype=bool), rates["missing_dob"])] = True
    mark(np.flatnonzero(no_dob), "missing_dob")
    has_uprn = np.zeros(n, dtype=bool)
    has_uprn[exact_pick(rng, ~no_address, agency.uprn_known)] = True

    dwelling_index = pa.array(dwelling)
    address = dwellings.address.take(dwelling_index)
    postcode = dwellings.postcode.take(dwelling_index)
    uprn = pa.array(dwellings.uprn[dwelling].astype(str), type=pa.string())
    null = pa.nulls(n, type=pa.string())
    columns: dict[str, pa.Array] = {
        "source_record_id": pc.binary_join_element_wise(
            KIND_PREFIX[kind], pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), 9, "0"), ""
        ),
        "source_person_id": pa.array(spid, type=pa.string()),
        "forename": pa.array(register.forename, type=pa.string()).take(pa.array(rows)),
        "surname": pa.array(register.surname, type=pa.string()).take(pa.array(rows)),
        "date_of_birth": _date_array(register.dob[rows], mask=no_dob),
        "sex": pa.array(np.array(["F", "M"], dtype=object)[sex[people]], type=pa.string()),
        "address": null
        if not agency.has_address_lines
        else pa.array(np.where(no_address, None, address.to_numpy(zero_copy_only=False)), type=pa.string()),
        "postcode": pa.array(np.where(no_address, None, postcode.to_numpy(zero_copy_only=False)), type=pa.string()),
        "uprn": pa.array(np.where(has_uprn, uprn.to_numpy(zero_copy_only=False), None), type=pa.string()),
    }
    if agency.identifier and register.identifier is not None:
        alternate_identifier = register.alternate_identifier
        assert alternate_identifier is not None
        identifier = np.where(use_alternate, alternate_identifier[rows], register.identifier[rows])
        identifier = np.asarray(identifier, dtype=object)
        missing_id = exact_pick(rng, np.ones(n, dtype=bool), rates["missing_identifier"])
        identifier[missing_id] = None
        mark(missing_id, "missing_identifier")
        columns[agency.identifier] = pa.array(identifier, type=pa.string())
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
    person_noise = register.noise[rows]
    joined = np.array(
        [";".join(filter(None, [p, *extra])) for p, extra in zip(person_noise.tolist(), noise, strict=True)],
        dtype=object,
    )
    return KindFile(
        kind=kind,
        rows=n,
        source_record_id=columns["source_record_id"].to_numpy(zero_copy_only=False),
        person=people,
        recorded_on=table["on"].astype(np.int32),
        source_person_id=columns["source_person_id"],
        noise=pa.array(joined, type=pa.string()),
    )
