"""On a 20,000-resident county the measured noise and prevalence match the configured ones.

Tolerance: a measured rate may differ from the configured one by 3% of it (relative) plus one unit of rounding
(1 / the number of eligible units), because the generator applies each rate to an exact, rounded count. Only a
day/month swap can be hidden (by a blank date of birth): there three standard errors of sampling are allowed too.
Noise is measured by comparing each agency's records with the truth, not read from the truth's noise notes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from django.conf import settings

from wholefamily.synth.definitions import load_definitions

DEFINITIONS = load_definitions(Path(settings.DEFINITIONS_DIR) / "synth")
RELATIVE = 0.03


def _close(measured: float, configured: float, eligible: int, *, hidden_share: float = 0.0) -> bool:
    """Within RELATIVE of the configured rate plus one unit of rounding; where some noised units cannot be seen (a
    blank date of birth hides a swap), plus three standard errors of sampling the visible ones."""
    sampling = 3 * (configured * (1 - configured) * hidden_share / max(eligible, 1)) ** 0.5
    return abs(measured - configured) <= RELATIVE * configured + 1 / max(eligible, 1) + sampling


def _agency_records(county: Path, kinds: tuple[str, ...], identifier: str | None) -> pa.Table:
    source = pq.read_table(county / "truth" / "source_records.parquet")
    parts = []
    for kind in kinds:
        options = pacsv.ConvertOptions(
            strings_can_be_null=True,
            column_types={
                c: pa.string()
                for c in ("date_of_birth", "uprn", "postcode", "address", identifier or "source_record_id")
            },
        )
        table = pacsv.read_csv(county / "agency" / f"{kind}.csv", convert_options=options)
        ident = table.column(identifier) if identifier else pa.nulls(table.num_rows, pa.string())
        parts.append(
            pa.table(
                {
                    "source_kind": pa.array([kind] * table.num_rows, pa.string()),
                    "source_record_id": table.column("source_record_id"),
                    "forename": table.column("forename"),
                    "surname": table.column("surname"),
                    "date_of_birth": table.column("date_of_birth"),
                    "address": table.column("address").cast(pa.string()),
                    "postcode": table.column("postcode"),
                    "uprn": table.column("uprn"),
                    "identifier": ident.cast(pa.string()),
                }
            )
        )
    records = pa.concat_tables(parts)
    return records.join(
        source.select(["source_kind", "source_record_id", "true_person_id", "recorded_on"]),
        ["source_kind", "source_record_id"],
    )


@pytest.fixture(scope="module")
def truth(county_20k: Path) -> dict:
    persons = pq.read_table(county_20k / "truth" / "persons.parquet").to_pydict()
    addresses = pq.read_table(county_20k / "truth" / "addresses.parquet")
    dwellings = pq.read_table(county_20k / "truth" / "dwellings.parquet").to_pydict()
    return {
        "persons": persons,
        "addresses": addresses,
        "address_of": dict(zip(dwellings["uprn"], dwellings["address"], strict=True)),
    }


@pytest.mark.parametrize("agency", DEFINITIONS.agencies, ids=lambda agency: agency.name)
def test_person_level_noise_rates(county_20k: Path, truth: dict, agency) -> None:
    records = _agency_records(county_20k, agency.kinds, agency.identifier).to_pydict()
    persons = truth["persons"]
    nicknames = DEFINITIONS.names["nicknames"]
    held: dict[int, tuple[str, str, str | None]] = {}
    for person, forename, surname, dob in zip(
        records["true_person_id"], records["forename"], records["surname"], records["date_of_birth"], strict=True
    ):
        first = held.get(person)
        if first is None or (first[2] is None and dob):
            held[person] = (forename, surname, dob or None)
    counts = dict.fromkeys(
        ("typo_forename", "typo_surname", "nickname", "name_swap", "double_barrel_variant", "dob_day_month_swap"), 0
    )
    eligible = {"nickname": 0, "double_barrel_variant": 0, "dob_day_month_swap": 0}
    for person, (forename, surname, dob) in held.items():
        true_forename, true_surname = persons["forename"][person], persons["surname"][person]
        true_dob: dt.date = persons["date_of_birth"][person]
        eligible["nickname"] += true_forename in nicknames
        eligible["double_barrel_variant"] += "-" in true_surname
        # Only dates of birth the agency gave can show a swap (missing_dob blanks some records).
        swappable = true_dob.day <= 12 and true_dob.day != true_dob.month and dob is not None
        eligible["dob_day_month_swap"] += swappable
        if dob and swappable and dob == f"{true_dob.year:04d}-{true_dob.day:02d}-{true_dob.month:02d}":
            counts["dob_day_month_swap"] += 1
        if forename == true_surname and surname == true_forename and true_forename != true_surname:
            counts["name_swap"] += 1
        elif forename != true_forename and forename in nicknames.get(true_forename, []):
            counts["nickname"] += 1
        elif (
            surname != true_surname
            and "-" in true_surname
            and surname in [*true_surname.split("-"), true_surname.replace("-", " ")]
        ):
            counts["double_barrel_variant"] += 1
        elif forename != true_forename:
            counts["typo_forename"] += 1
        elif surname != true_surname:
            counts["typo_surname"] += 1
    total = len(held)
    for noise, count in counts.items():
        base = eligible.get(noise, total)
        if base < 30:
            continue
        measured = count / base
        hidden = agency.rates["missing_dob"] if noise == "dob_day_month_swap" else 0.0
        message = f"{agency.name} {noise}: {measured:.4f} vs {agency.rates[noise]}"
        assert _close(measured, agency.rates[noise], base, hidden_share=hidden), message


@pytest.mark.parametrize("agency", DEFINITIONS.agencies, ids=lambda agency: agency.name)
def test_record_level_noise_rates(county_20k: Path, truth: dict, agency) -> None:
    table = _agency_records(county_20k, agency.kinds, agency.identifier)
    n = table.num_rows
    missing_dob = table.column("date_of_birth").null_count / n
    missing_address = table.column("postcode").null_count / n
    assert _close(missing_dob, agency.rates["missing_dob"], n)
    assert _close(missing_address, agency.rates["missing_address"], n)
    if agency.identifier:
        assert _close(table.column("identifier").null_count / n, agency.rates["missing_identifier"], n)
    with_address = n - table.column("postcode").null_count
    assert _close(
        (with_address - table.column("uprn").null_count + (n - with_address)) / max(with_address, 1),
        agency.uprn_known,
        with_address,
    )
    if not agency.has_address_lines:
        assert table.column("address").null_count == n
        return
    # Stale addresses: of the records dated after the person's first move, those carrying the previous address.
    addresses = truth["addresses"]
    person_of = addresses.column("true_person_id").to_numpy()
    start = addresses.column("start_on").cast(pa.int32()).to_numpy()
    uprns = addresses.column("uprn").to_pylist()
    order = np.lexsort((start, person_of))
    person_of, start = person_of[order], start[order]
    uprns = [uprns[i] for i in order]
    keys = person_of.astype(np.int64) * 100_000 + start
    people = table.column("true_person_id").to_numpy()
    days = table.column("recorded_on").cast(pa.int32()).to_numpy()
    position = np.searchsorted(keys, people.astype(np.int64) * 100_000 + days, side="right") - 1
    address_given = table.column("address").to_pylist()
    address_of = truth["address_of"]
    eligible = stale = 0
    for row, pos in enumerate(position.tolist()):
        if address_given[row] is None or pos < 1 or person_of[pos - 1] != people[row] or uprns[pos - 1] == uprns[pos]:
            continue
        eligible += 1
        stale += address_given[row] == address_of[uprns[pos - 1]]
    # Stale addresses are chosen among the records that give an address.
    assert eligible > 10
    assert _close(stale / eligible, agency.rates["stale_address"], eligible), f"{agency.name}: {stale / eligible:.4f}"


def test_prevalence_matches_the_sources(county_20k: Path) -> None:
    manifest = json.loads((county_20k / "manifest.json").read_text())
    residents = manifest["residents_at_reference"]
    eligibility = pq.read_table(county_20k / "truth" / "eligibility.parquet")
    at_reference = pc.equal(eligibility.column("evaluated_on").cast(pa.string()), manifest["reference_on"])
    for programme, per_1000 in (("tf2012", 2.19), ("tf2015", 4.31)):
        rows = eligibility.filter(pc.and_(at_reference, pc.equal(eligibility.column("programme"), programme)))
        eligible = pc.sum(rows.column("is_eligible").cast(pa.int32())).as_py()
        assert eligible == manifest["eligible_at_reference"][programme]
        measured = eligible / residents * 1000
        assert abs(measured - per_1000) <= RELATIVE * per_1000 + 1000 / residents, (
            f"{programme}: {measured:.3f} per 1,000"
        )


def test_effect_size_is_the_share_of_problems_removed(county_20k: Path) -> None:
    """Worked-with families lose each would-be problem with probability effect_size once the effect applies."""
    manifest = json.loads((county_20k / "manifest.json").read_text())
    terms = pq.read_table(county_20k / "truth" / "family_terms.parquet").to_pylist()
    would = kept = 0
    for term in terms:
        assert term["is_worked_with"] or not term["is_effect_applied"]
        without = set(filter(None, term["problems_without_work"].split(";")))
        actual = set(filter(None, term["problems"].split(";")))
        assert actual <= without
        if term["is_effect_applied"]:
            would += len(without)
            kept += len(actual)
        else:
            assert actual == without
    effect = manifest["parameters"]["effect_size"]
    removed = 1 - kept / would
    standard_error = (effect * (1 - effect) / would) ** 0.5
    assert would > 100
    assert abs(removed - effect) <= 4 * standard_error, f"removed {removed:.3f} of would-be problems, effect {effect}"
