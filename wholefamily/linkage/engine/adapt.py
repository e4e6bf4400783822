"""Linkage fitted to the data at hand (ADR 0016): which model suits it, and which of the model's rules it can use.

A council's extracts differ: a health extract with NHS numbers and no postcode, a school census with few adults, an
old system with free-text addresses. Before Splink sees the profiles, this module measures which columns carry
values, chooses the county model (addresses and household evidence) or the general person model, and leaves out the
blocking and training rules the data cannot support. Every choice becomes a plain line of the run's report.
"""

# ruff: noqa: S608  (SQL here is built from our own table and column names, never from user input)

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from wholefamily.linkage.engine.definition import BlockingRule, LinkageDefinition

Choice = str  # "auto", "county" or "person"
MODEL_CHOICES = ("auto", "county", "person")

# What a column is called in the run's report.
COLUMN_LABELS = {
    "forename": "forename", "forename_keys": "forename", "surname": "surname", "surname_parts": "surname",
    "dob": "date of birth", "dob_year": "date of birth", "dob_month": "date of birth", "dob_day": "date of birth",
    "sex": "sex", "address": "address", "house_number": "address", "postcode": "postcode",
    "postcode_sector": "UK postcode", "postcode_district": "UK postcode", "uprn": "UPRN", "nhs_number": "NHS number",
    "ni_number": "National Insurance number", "pupil_number": "pupil number", "social_care_id": "social care id",
    "police_id": "police id", "email": "email", "phone": "telephone",
}  # fmt: skip
_SQL_COLUMN = re.compile(r"\b[lr]\.(\w+)")
# Up to this many profiles, a rule whose columns have values but no value shared by two profiles is found by
# counting (one GROUP BY per rule). Beyond it the count is skipped: with so many profiles such a rule is implausible,
# costs Splink nothing, and an EM training rule that finds no pairs is skipped and reported anyway.
PAIR_CHECK_PROFILES = 200_000


class UnlinkableData(ValueError):
    """The records cannot be linked at all; the message is one plain sentence for the person who ran it."""


@dataclass
class DataShape:
    """What the profiles carry: the number with a value in each column, and the household evidence."""

    profiles: int
    filled: dict[str, int]
    address_share: float  # profiles with an address (lines or UPRN) and a UK postcode
    shared_dwelling_share: float  # of those, the share whose dwelling holds a profile with another forename

    def has(self, column: str) -> bool:
        return self.filled.get(column, 0) > 0


@dataclass
class Adaptation:
    """The model chosen and what was left out, as lines of the run's report."""

    family: str
    reason: str
    blocking_rules: tuple[BlockingRule, ...]
    em_rules: tuple[tuple[str, ...], ...]
    prior_rules: tuple[str, ...]
    comparisons: tuple[str, ...]  # the person model's comparisons kept (the county model keeps all of its own)
    skipped: list[str] = field(default_factory=list)  # "what was left out, and why"

    def note(self, line: str) -> None:
        self.skipped.append(line)


def _label(columns: tuple[str, ...] | list[str]) -> str:
    names = list(dict.fromkeys(COLUMN_LABELS.get(column, column) for column in columns))
    return " and ".join(names)


def rule_columns(rule: BlockingRule) -> tuple[str, ...]:
    if rule.columns:
        return rule.columns
    return tuple(dict.fromkeys(_SQL_COLUMN.findall(rule.sql)))


def measure(connection: duckdb.DuckDBPyConnection) -> DataShape:
    """Count the values of every profile column, and measure the household evidence (table `profiles`)."""
    names = [row[0] for row in connection.execute("DESCRIBE profiles").fetchall()]
    counted = [name for name in names if name not in ("unique_id", "kind", "record_count")]
    row = connection.execute(
        f"SELECT count(*), {', '.join(f'count({name})' for name in counted)} FROM profiles"
    ).fetchall()[0]
    filled = dict(zip(counted, (int(value) for value in row[1:]), strict=True))
    evidence = connection.execute(
        """
        WITH placed AS (
            SELECT unique_id, forename, forename_keys,
                   COALESCE('U:' || uprn, 'A:' || address || '|' || postcode) AS dwelling
            FROM profiles WHERE postcode_district IS NOT NULL AND (uprn IS NOT NULL OR address IS NOT NULL)
        ), named AS (
            SELECT * FROM placed WHERE forename IS NOT NULL
              AND dwelling IN (SELECT dwelling FROM placed GROUP BY dwelling HAVING count(DISTINCT forename) > 1)
        ), shared AS (
            -- another forename: not equal, not similar, not a short form (a typo is the same person)
            SELECT DISTINCT a.dwelling FROM named a
            JOIN named b ON a.dwelling = b.dwelling AND a.unique_id < b.unique_id
            WHERE jaro_winkler_similarity(a.forename, b.forename) < 0.8
              AND NOT list_has_any(a.forename_keys, b.forename_keys)
        )
        SELECT count(*), count(*) FILTER (WHERE dwelling IN (SELECT dwelling FROM shared)) FROM placed
        """
    ).fetchall()[0]
    profiles = int(row[0])
    addressed, shared = int(evidence[0]), int(evidence[1])
    return DataShape(
        profiles=profiles,
        filled=filled,
        address_share=addressed / profiles if profiles else 0.0,
        shared_dwelling_share=shared / addressed if addressed else 0.0,
    )


def choose_model(
    shape: DataShape, county: LinkageDefinition, person: LinkageDefinition, *, choice: Choice = "auto"
) -> tuple[LinkageDefinition, str]:
    """The model for this data and why, in a sentence. `choice` forces one ("county" or "person")."""
    if choice not in MODEL_CHOICES:
        raise ValueError(f"the model must be one of {', '.join(MODEL_CHOICES)}")
    figures = (
        f"{shape.address_share:.0%} of profiles have an address with a UK postcode, "
        f"{shape.shared_dwelling_share:.0%} of those share it with someone of another forename"
    )
    if choice == "county":
        return county, f"the county model, as asked ({figures})"
    if choice == "person":
        return person, f"the general person model, as asked ({figures})"
    if (
        shape.address_share >= county.min_address_share
        and shape.shared_dwelling_share >= county.min_shared_dwelling_share
    ):
        return county, f"the county model: the data has addresses and household evidence ({figures})"
    return (
        person,
        f"the general person model: the data has too little household evidence for the county model ({figures})",
    )


def _pairs(connection: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> int:
    """Pairs of profiles that agree on every column (values present on both)."""
    where = " AND ".join(f"{column} IS NOT NULL" for column in columns)
    group = ", ".join(columns)
    row = connection.execute(
        f"SELECT COALESCE(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM profiles WHERE {where} "
        f"GROUP BY {group})"
    ).fetchall()[0]
    return int(row[0])


def adapt(
    connection: duckdb.DuckDBPyConnection, definition: LinkageDefinition, shape: DataShape, *, reason: str
) -> Adaptation:
    """Leave out the rules this data cannot support; raise UnlinkableData when nothing is left to link on."""
    if shape.profiles < 2:
        raise UnlinkableData(
            f"There is nothing to link: the data holds {shape.profiles} distinct "
            f"record{'s' if shape.profiles != 1 else ''}."
        )
    adaptation = Adaptation(
        family=definition.family, reason=reason, blocking_rules=(), em_rules=(), prior_rules=(), comparisons=()
    )
    kept_blocking: list[BlockingRule] = []
    for rule in definition.blocking_rules:
        columns = rule_columns(rule)
        absent = [column for column in columns if not shape.has(column)]
        if absent:
            adaptation.note(f"Blocking rule on {_label(columns)} skipped: no {_label(absent)} in the data.")
        elif rule.columns and shape.profiles <= PAIR_CHECK_PROFILES and _pairs(connection, rule.columns) == 0:
            adaptation.note(f"Blocking rule on {_label(columns)} skipped: no two records share a value.")
        else:
            kept_blocking.append(rule)
    if not kept_blocking:
        raise UnlinkableData(
            "These records cannot be linked: no two of them share a name, date of birth, postcode or identifier "
            "that the model compares."
        )
    kept_em: list[tuple[str, ...]] = []
    for columns in definition.training.em_blocking_rules:
        absent = [column for column in columns if not shape.has(column)]
        if absent:
            adaptation.note(f"Training rule on {_label(columns)} skipped: no {_label(absent)} in the data.")
        elif shape.profiles <= PAIR_CHECK_PROFILES and _pairs(connection, columns) == 0:
            adaptation.note(f"Training rule on {_label(columns)} skipped: no two records share a value.")
        else:
            kept_em.append(columns)
    kept_prior = []
    for sql in definition.training.prior_rules:
        columns = tuple(dict.fromkeys(_SQL_COLUMN.findall(sql)))
        if all(shape.has(column) for column in columns):
            kept_prior.append(sql)
    if definition.family == "person":
        kept = []
        for name in definition.comparisons:
            if shape.has(name):
                kept.append(name)
            else:
                adaptation.note(f"Comparison of {_label([name])} left out: no {_label([name])} in the data.")
        adaptation.comparisons = tuple(kept)
    adaptation.blocking_rules = tuple(kept_blocking)
    adaptation.em_rules = tuple(kept_em)
    adaptation.prior_rules = tuple(kept_prior)
    return adaptation
