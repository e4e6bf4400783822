"""Builds a synthetic county end to end: people, households, events, agency files and the truth behind them.

Stages report to a `Reporter` (the `synth` command shows them as progress bars). Same parameters and seed give the
same bytes in every output file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from wholefamily.domain.contract import ContractSet, load_contract_set
from wholefamily.synth import GENERATOR_VERSION
from wholefamily.synth.agency import AddressBook, KindFile, write_kind
from wholefamily.synth.area import write_area_statistics
from wholefamily.synth.calendar import Calendar, build_calendar, from_day, to_day
from wholefamily.synth.council_tax import listings, person_stays
from wholefamily.synth.definitions import SynthDefinitions, load_definitions
from wholefamily.synth.dynamics import simulate
from wholefamily.synth.eligibility import evaluate
from wholefamily.synth.events import World, make_events
from wholefamily.synth.geography import Dwellings, build_dwellings
from wholefamily.synth.identifiers import local_references, nhs_numbers, ni_numbers, pupil_numbers
from wholefamily.synth.noise import build_register
from wholefamily.synth.people import ROLES, NameBook, Population, populate
from wholefamily.synth.problems import PROBLEMS, Timeline, build_timeline

AGENCY_ID_PREFIX = {
    "education": "EDU",
    "police": "WP",
    "dwp": "DWP",
    "health": "HLT",
    "social_care": "SC",
    "council": "CNL",
    "revenues": "RB",
}
COUNCIL_TAX_STREAM = 5
AREA_STATISTICS_STREAM = 6


class Reporter(Protocol):
    def stage(self, name: str, total: int) -> Callable[[int], None]: ...


class SilentReporter:
    def stage(self, name: str, total: int) -> Callable[[int], None]:
        def ignore(step: int = 1) -> None:
            return None

        return ignore


@dataclass(frozen=True)
class Parameters:
    population: int
    seed: int
    start: str  # ISO date
    years: int
    worked_share: float | None = None
    effect_size: float | None = None
    noise_scale: float = 1.0
    evaluate_on: tuple[str, ...] = ()  # extra ISO dates at which to judge eligibility
    reference_years: int | None = None  # the reference date ends this academic year (default: half the years)


def _segments_table(columns: dict[str, np.ndarray], names: tuple[str, str, str]) -> pa.Table:
    owner, value, role = names
    data = {owner: pa.array(columns["owner"]), value: pa.array(columns["value"])}
    if role:
        data[role] = pa.array(np.array(ROLES, dtype=object)[columns["role"]], type=pa.string())
    data["start_on"] = pa.array(columns["start"], type=pa.date32())
    data["end_on"] = pa.array(columns["end"], type=pa.date32(), mask=columns["end"] < 0)
    return pa.table(data)


def person_addresses(memberships: dict[str, np.ndarray], dwellings: dict[str, np.ndarray]) -> AddressBook:
    """Each person's dwellings over time: memberships joined with their household's dwellings, clipped to both."""
    stays = person_stays(memberships, dwellings)
    return AddressBook(person=stays["person"], start=stays["start"], end=stays["end"], dwelling=stays["dwelling"])


def _at_period_ends(
    segments: dict[str, np.ndarray], owners: int, calendar: Calendar, *, field: str = "value"
) -> np.ndarray:
    out = np.full((owners, calendar.periods), -1, dtype=np.int64)
    for period, day in enumerate(calendar.ends):
        live = (segments["start"] <= day) & ((segments["end"] < 0) | (segments["end"] >= day))
        out[segments["owner"][live], period] = segments[field][live]
    return out


def _codes(contracts: ContractSet) -> dict[str, dict[str, frozenset[str]]]:
    wanted = {
        "benefit_type": "is_out_of_work",
        "uc_conditionality_regime": "has_work_related_conditions",
        "neet_status": "is_neet",
        "disposal": "is_proven_outcome",
        "alternative_provision_reason": "is_behavioural",
    }
    return {name: {attribute: contracts.codelists[name].codes_where(attribute)} for name, attribute in wanted.items()}


def _evaluation_days(calendar: Calendar, extra: tuple[str, ...] = ()) -> list[int]:
    """The reference date, the end of every academic year with 12 months of history before it, and any extra dates."""
    periods = range(calendar.reference_period % 3, calendar.periods, 3)
    days = {int(calendar.ends[p]) for p in periods if p >= 2} | {calendar.reference_on}
    days |= {to_day(dt.date.fromisoformat(day)) for day in extra}
    return sorted(days)


def generate(
    params: Parameters, out: Path, *, definitions_dir: Path, reporter: Reporter | None = None
) -> dict[str, Any]:
    """Generate the county into `out` (agency/, area/, truth/, manifest.json); returns the manifest."""
    reporter = reporter or SilentReporter()
    definitions = load_definitions(definitions_dir / "synth", noise_scale=params.noise_scale)
    contracts = load_contract_set(definitions_dir)
    prevalence = definitions.prevalence
    worked_share = prevalence["worked_with"]["share"] if params.worked_share is None else params.worked_share
    effect_size = prevalence["worked_with"]["effect_size"] if params.effect_size is None else params.effect_size
    rng = np.random.default_rng(params.seed)
    calendar = build_calendar(
        start=dt.date.fromisoformat(params.start), years=params.years, reference_years=params.reference_years
    )

    tick = reporter.stage("people and households", calendar.periods + 2)
    names = NameBook(definitions.names)
    population = populate(
        rng, definitions.households, names, residents=params.population, start_on=int(calendar.starts[0])
    )
    tick(1)
    dwelling_count = int(population.household_count * definitions.geography["dwellings_per_household"]) + 100
    dwellings = build_dwellings(rng, definitions.geography, count=dwelling_count)
    tick(1)
    history = simulate(
        rng,
        population,
        names,
        calendar,
        spec=definitions.households,
        dwelling_count=dwelling_count,
        inheritance=prevalence["risk_inheritance"],
        progress=tick,
    )

    tick = reporter.stage("problems and events", 3)
    n = population.count
    memberships = history.memberships.columns()
    dwelling_segments = history.dwellings.columns()
    timeline = build_timeline(
        rng,
        prevalence,
        calendar,
        dob=population.dob[:n],
        memberships=memberships,
        risk=population.household_risk[: population.household_count],
        worked_share=worked_share,
        effect_size=effect_size,
    )
    tick(1)
    role_at = _at_period_ends(memberships, n, calendar, field="role")
    dwelling_at = _at_period_ends(dwelling_segments, population.household_count, calendar)
    ward_at = np.where(dwelling_at >= 0, dwellings.ward[np.maximum(dwelling_at, 0)], -1)
    codes = _codes(contracts)
    world = World(
        rng=rng,
        calendar=calendar,
        timeline=timeline,
        dob=population.dob[:n],
        sex=population.sex[:n],
        role_at=role_at,
        partner=population.partner[:n],
        dwelling_ward=ward_at,
        ward_district=dwellings.ward_districts,
        universal_credit_from=to_day(dt.date.fromisoformat(prevalence["universal_credit_from"])),
        codes=codes,
    )
    events = make_events(world)
    tick(1)
    eligibility = _eligibility(events, memberships, population, calendar, codes, prevalence, params.evaluate_on)
    tick(1)

    agency_dir, truth_dir = out / "agency", out / "truth"
    addresses = person_addresses(memberships, dwelling_segments)
    # council tax listings draw from their own generator, so that adding them left every other file as it was
    events["council_tax"] = listings(
        np.random.default_rng([params.seed, COUNCIL_TAX_STREAM]),
        person_stays(memberships, dwelling_segments),
        dob=population.dob[:n],
        household_risk=population.household_risk[: population.household_count],
        spec=definitions.households["council_tax"],
    )
    kind_files, held_identifiers = _write_agencies(
        rng, definitions, contracts, events, population, names, addresses, dwellings, agency_dir, reporter
    )
    # area statistics draw from their own generator too, and count the residents the other files hold
    area_rows = write_area_statistics(
        np.random.default_rng([params.seed, AREA_STATISTICS_STREAM]),
        contract=contracts.contract("area_statistics"),
        memberships=memberships,
        dwelling_segments=dwelling_segments,
        dob=population.dob[:n],
        sex=population.sex[:n],
        household_risk=population.household_risk[: population.household_count],
        dwellings=dwellings,
        first_day=int(calendar.starts[0]),
        last_day=int(calendar.ends[-1]),
        out_dir=out / "area",  # not an agency's records of persons: nothing that links persons reads this folder
    )
    tick = reporter.stage("truth", 10)
    row_counts = _write_truth(
        truth_dir,
        population,
        names,
        memberships,
        dwelling_segments,
        addresses,
        dwellings,
        kind_files,
        held_identifiers,
        eligibility,
        timeline,
        calendar,
        effect_size,
        tick,
    )
    reference = calendar.reference_on
    at_reference = [row for row in eligibility if row[2] == reference]
    manifest = {
        "generator": "wholefamily.synth",
        "generator_version": GENERATOR_VERSION,
        "parameters": {**asdict(params), "worked_share": worked_share, "effect_size": effect_size},
        "seed": params.seed,
        "history": {
            "first_day": from_day(int(calendar.starts[0])).isoformat(),
            "last_day": from_day(int(calendar.ends[-1])).isoformat(),
        },
        "reference_on": from_day(reference).isoformat(),
        "evaluated_on": [from_day(day).isoformat() for day in _evaluation_days(calendar, params.evaluate_on)],
        "residents_at_reference": timeline.residents_at_reference,
        "residents_ever": int(n),
        "households_ever": int(population.household_count),
        "targets_at_reference": timeline.targets,
        "eligible_at_reference": {
            p: sum(1 for row in at_reference if row[1] == p and row[3]) for p in ("tf2012", "tf2015")
        },
        "worked_with_families": len(timeline.worked_with["household"]),
        "agency_rows": {kind_file.kind: kind_file.rows for kind_file in kind_files},
        "area_rows": {"area_statistics": area_rows},
        "truth_rows": row_counts,
        "definitions_sha256": {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted((definitions_dir / "synth").glob("*.yaml"))
        },
        "contract_versions": {kind: contracts.contract(kind).version for kind in sorted([*events, "area_statistics"])},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _eligibility(
    events: dict[str, dict[str, np.ndarray]],
    memberships: dict[str, np.ndarray],
    population: Population,
    calendar: Calendar,
    codes: dict[str, dict[str, frozenset[str]]],
    prevalence: dict[str, Any],
    extra_days: tuple[str, ...],
) -> list[tuple[int, str, int, bool, str]]:
    rows = []
    for day in _evaluation_days(calendar, extra_days):
        result = evaluate(
            events,
            memberships,
            population.dob[: population.count],
            population.household_count,
            day,
            codes,
        )
        for programme, names in (("tf2012", ("crime_2012", "education_2012", "work_2012")), ("tf2015", PROBLEMS)):
            flags = np.stack([result[f"has_{name}"] for name in names], axis=1)
            households = np.flatnonzero(flags.any(axis=1))
            for household in households.tolist():
                problems = ";".join(
                    name.removesuffix("_2012") for name, flag in zip(names, flags[household], strict=True) if flag
                )
                rows.append((household, programme, day, bool(result[programme][household]), problems))
    return rows


def _identifiers(
    rng: np.random.Generator, agency_name: str, identifier: str | None, count: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Identifier numbers of an agency's persons, and spares for duplicate registrations (None: same number)."""
    if identifier is None:
        return None, None
    if identifier == "police_id":
        both = local_references(rng, count * 2, prefix="WP", digits=8)
        return both[:count], both[count:]
    if identifier == "social_care_id":
        both = local_references(rng, count * 2, prefix="SC", digits=8)
        return both[:count], both[count:]
    if identifier == "nhs_number":
        return nhs_numbers(rng, count), None
    if identifier == "ni_number":
        return ni_numbers(rng, count), None
    if identifier == "pupil_number":
        return pupil_numbers(rng, count), None
    raise ValueError(f"{agency_name}: unknown identifier {identifier}")


def _write_agencies(
    rng: np.random.Generator,
    definitions: SynthDefinitions,
    contracts: ContractSet,
    events: dict[str, dict[str, np.ndarray]],
    population: Population,
    names: NameBook,
    addresses: AddressBook,
    dwellings: Dwellings,
    out: Path,
    reporter: Reporter,
) -> tuple[list[KindFile], dict[str, np.ndarray]]:
    """Each agency's register and files; returns the files' source maps and each person's true identifier numbers."""
    n = population.count
    forenames = names.forenames[population.forename[:n]]
    surnames = np.array(names.surnames, dtype=object)[population.surname[:n]]
    files: list[KindFile] = []
    held_identifiers: dict[str, np.ndarray] = {}
    tick = reporter.stage("agency files", len(events))
    for agency in definitions.agencies:
        kinds = [kind for kind in agency.kinds if kind in events]
        if not kinds:
            continue
        people = np.unique(np.concatenate([events[kind]["person"] for kind in kinds]))
        ids = local_references(rng, len(people) * 2, prefix=AGENCY_ID_PREFIX[agency.name], digits=9)
        identifiers, spares = _identifiers(rng, agency.name, agency.identifier, len(people))
        register = build_register(
            rng,
            agency,
            people,
            forenames=forenames,
            surnames=surnames,
            dob=population.dob[:n],
            nicknames=names.nicknames,
            ids=ids[: len(people)],
            alternate_ids=ids[len(people) :],
            identifiers=identifiers,
            alternate_identifiers=spares,
        )
        if agency.identifier and identifiers is not None:
            column = np.full(n, None, dtype=object)
            column[people] = identifiers
            held_identifiers[agency.identifier] = column
        for kind in kinds:
            files.append(
                write_kind(
                    rng,
                    kind=kind,
                    table=events[kind],
                    contract=contracts.contract(kind),
                    agency=agency,
                    register=register,
                    addresses=addresses,
                    dwellings=dwellings,
                    sex=population.sex[:n],
                    out_dir=out,
                )
            )
            tick(1)
    return files, held_identifiers


def _family_terms(timeline: Timeline, calendar: Calendar) -> pa.Table:
    """Each term's problems of the families meeting the 2015 criteria at the reference date (worked with or not),
    with the problems they would have had without the work: the known answer for impact estimates."""
    at_reference = timeline.states[:, :, calendar.reference_period]
    cohort = timeline.families_at_reference[at_reference[timeline.families_at_reference].sum(axis=1) >= 2]
    households = np.repeat(cohort, calendar.periods)
    periods = np.tile(np.arange(calendar.periods), len(cohort))
    names = np.array(PROBLEMS, dtype=object)

    def joined(states: np.ndarray) -> list[str]:
        flags = states[households, :, periods]
        return [";".join(names[row]) for row in flags]

    return pa.table(
        {
            "household_id": pa.array(households, type=pa.int32()),
            "term_start_on": pa.array(calendar.starts[periods], type=pa.date32()),
            "term_end_on": pa.array(calendar.ends[periods], type=pa.date32()),
            "is_worked_with": pa.array(timeline.effect_from[households] < 10**6),
            "is_effect_applied": pa.array(timeline.effect_from[households] <= periods),
            "problems": pa.array(joined(timeline.states), type=pa.string()),
            "problems_without_work": pa.array(joined(timeline.counterfactual), type=pa.string()),
        }
    )


def _write_truth(
    out: Path,
    population: Population,
    names: NameBook,
    memberships: dict[str, np.ndarray],
    dwelling_segments: dict[str, np.ndarray],
    addresses: AddressBook,
    dwellings: Dwellings,
    kind_files: list[KindFile],
    held_identifiers: dict[str, np.ndarray],
    eligibility: list[tuple[int, str, int, bool, str]],
    timeline: Timeline,
    calendar: Calendar,
    effect_size: float,
    tick: Callable[[int], None],
) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    n = population.count
    tables: dict[str, pa.Table] = {}
    tables["persons"] = pa.table(
        {
            "true_person_id": pa.array(np.arange(n, dtype=np.int32)),
            "forename": pa.array(names.forenames[population.forename[:n]], type=pa.string()),
            "surname": pa.array(np.array(names.surnames, dtype=object)[population.surname[:n]], type=pa.string()),
            "date_of_birth": pa.array(population.dob[:n], type=pa.date32()),
            "sex": pa.array(np.array(["F", "M"], dtype=object)[population.sex[:n]], type=pa.string()),
            # The identifier each agency gave the person first (empty when the agency never held them).
            **{
                name: pa.array(held_identifiers.get(name, np.full(n, None, dtype=object)), type=pa.string())
                for name in ("pupil_number", "nhs_number", "ni_number", "police_id", "social_care_id")
            },
        }
    )
    tables["source_records"] = pa.concat_tables(
        [
            pa.table(
                {
                    "source_kind": pa.array([kind_file.kind] * kind_file.rows, type=pa.string()),
                    "source_record_id": kind_file.source_record_id,
                    "true_person_id": pa.array(kind_file.person, type=pa.int32()),
                    "source_person_id": kind_file.source_person_id,
                    "recorded_on": pa.array(kind_file.recorded_on, type=pa.date32()),
                    "noise": kind_file.noise,
                }
            )
            for kind_file in kind_files
        ]
    )
    h = population.household_count
    tables["households"] = pa.table(
        {
            "household_id": pa.array(np.arange(h, dtype=np.int32)),
            "formed_on": pa.array(population.household_formed_on[:h], type=pa.date32()),
            "ended_on": pa.array(
                population.household_ended_on[:h], type=pa.date32(), mask=population.household_ended_on[:h] < 0
            ),
            "latent_risk": pa.array(population.household_risk[:h]),
        }
    )
    m = _segments_table(memberships, ("true_person_id", "household_id", "role"))
    tables["memberships"] = m.set_column(1, "household_id", m.column("household_id").cast(pa.int32()))
    tables["addresses"] = pa.table(
        {
            "true_person_id": pa.array(addresses.person, type=pa.int32()),
            "uprn": dwellings.uprn_text.take(pa.array(addresses.dwelling)),
            "start_on": pa.array(addresses.start, type=pa.date32()),
            "end_on": pa.array(addresses.end, type=pa.date32(), mask=addresses.end < 0),
        }
    )
    d = dwelling_segments
    tables["household_addresses"] = pa.table(
        {
            "household_id": pa.array(d["owner"], type=pa.int32()),
            "uprn": dwellings.uprn_text.take(pa.array(d["value"])),
            "start_on": pa.array(d["start"], type=pa.date32()),
            "end_on": pa.array(d["end"], type=pa.date32(), mask=d["end"] < 0),
        }
    )
    tables["dwellings"] = pa.table(
        {
            "uprn": dwellings.uprn_text,
            "address": dwellings.address,
            "postcode": dwellings.postcode,
            "ward": pa.array(np.array(dwellings.ward_names, dtype=object)[dwellings.ward], type=pa.string()),
            "district": pa.array(
                np.array(dwellings.district_names, dtype=object)[dwellings.ward_districts[dwellings.ward]],
                type=pa.string(),
            ),
        }
    )
    columns: list[Any] = [list(column) for column in zip(*eligibility, strict=True)] if eligibility else [[]] * 5
    tables["eligibility"] = pa.table(
        {
            "household_id": pa.array(columns[0], type=pa.int32()),
            "programme": pa.array(columns[1], type=pa.string()),
            "evaluated_on": pa.array(columns[2], type=pa.int32()).cast(pa.date32()),
            "is_eligible": pa.array(columns[3], type=pa.bool_()),
            "problems": pa.array(columns[4], type=pa.string()),
        }
    )
    worked = timeline.worked_with
    tables["worked_with"] = pa.table(
        {
            "household_id": pa.array(worked["household"], type=pa.int32()),
            "programme": pa.array(["tf2015"] * len(worked["household"]), type=pa.string()),
            "start_on": pa.array(worked["start_on"], type=pa.date32()),
            "effect_size": pa.array(np.full(len(worked["household"]), effect_size)),
        }
    )
    tables["family_terms"] = _family_terms(timeline, calendar)
    counts = {}
    for name, table in tables.items():
        pq.write_table(table, out / f"{name}.parquet", compression="zstd")
        counts[name] = table.num_rows
        tick(1)
    return counts
