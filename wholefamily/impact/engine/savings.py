"""Actual savings from service use before and after each family's start, costed with unit costs as data (ADR 0024).

For each worked-with family (its members at the start, from the snapshot's memberships) and each unit cost, the
service use in the 12 months before the start (start - 365 days to the day before) and in the 12 months from it:
events counted, or weeks of a spell overlapping the window (an open spell runs to the window's end). Each is costed
at the unit cost uprated to the price base year by the definition's deflator; the saving is the cost before less
the cost after. A reproducible sample (a share of the families, chosen by a seeded hash of their ids) gives the
"10% sample" of the Lancashire cabinet report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from wholefamily.domain.contract import ContractSet
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.impact.engine.panel import open_snapshot

TYPES = ("fiscal", "economic", "social")
RULES = ("events", "weeks")
WINDOW_DAYS = 365


class UnitCostError(ValueError):
    """The unit cost definition is malformed; `problems` lists each problem found."""

    def __init__(
        self, message: str, *, problems: Sequence[str] = (), costs: Sequence[tuple[str, UnitCost]] = ()
    ) -> None:
        super().__init__(message)
        self.problems = list(problems) or [message]
        self.costs = list(costs)  # (label, cost) of the costs that could be read, for further checks


@dataclass(frozen=True)
class UnitCost:
    code: str
    label: str
    kind: str
    rule: str
    unit: str
    value: float
    year: int
    type: str
    agency: str
    problem: str
    source: str
    verified: bool
    date_column: str = ""
    column: str = ""
    codes: tuple[str, ...] = ()
    where_true: str = ""  # a boolean column that must be true


@dataclass(frozen=True)
class UnitCosts:
    name: str
    version: int
    price_base_year: int
    deflator: dict[int, float]
    deflator_verified: bool
    costs: tuple[UnitCost, ...]

    def uprated(self, cost: UnitCost) -> float:
        """The cost in the price base year's prices."""
        return cost.value * self.deflator[self.price_base_year] / self.deflator[cost.year]

    @property
    def unverified(self) -> list[str]:
        return [cost.code for cost in self.costs if not cost.verified]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({cost.kind for cost in self.costs}))


def load_unit_costs(path: Path) -> UnitCosts:
    """The unit cost definition file, validated as a whole: one error refuses it all."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise UnitCostError(f"{path.name}: not a unit cost definition")
    try:
        return parse_unit_costs(data, default_name=path.stem)
    except UnitCostError as error:
        raise UnitCostError(f"{path.name}: " + "; ".join(error.problems), problems=error.problems) from None


COST_KEYS = ("code", "label", "kind", "rule", "unit", "value", "year", "type", "agency", "problem", "source")


def parse_unit_costs(
    data: dict[str, Any], *, default_name: str = "unit-costs", labels: Sequence[str] = ()
) -> UnitCosts:
    """A unit cost definition from its mapping (the YAML file's, or an imported workbook's), validated as a whole.
    `labels` names each cost in the problems (a line of an imported file); by default "cost N (code)"."""
    errors: list[str] = []
    deflator_spec = data.get("deflator") or {}
    deflator: dict[int, float] = {}
    for year, value in (deflator_spec.get("index") or {}).items():
        try:
            deflator[int(year)] = float(value)
        except (TypeError, ValueError):
            errors.append(f"deflator: {year!r} is not a year with an index number")
    if any(value <= 0 for value in deflator.values()):
        errors.append("deflator: every index must be more than 0")
    try:
        base = int(data.get("price_base_year", 0))
    except (TypeError, ValueError):
        base = 0
    if base not in deflator:
        errors.append(f"the price base year {base} has no deflator index")
    costs, named = [], []
    for number, item in enumerate(data.get("costs") or [], start=1):
        where = labels[number - 1] if number <= len(labels) else f"cost {number} ({item.get('code', '?')})"
        missing = [key for key in COST_KEYS if item.get(key) in (None, "")]
        if missing:
            errors.append(f"{where}: missing {', '.join(missing)}")
            continue
        if item["rule"] not in RULES:
            errors.append(f"{where}: rule must be one of {', '.join(RULES)}")
        if item["type"] not in TYPES:
            errors.append(f"{where}: type must be one of {', '.join(TYPES)}")
        if item["rule"] == "events" and not item.get("date_column"):
            errors.append(f"{where}: an events rule needs date_column")
        if not isinstance(item["year"], int) or isinstance(item["year"], bool):
            errors.append(f"{where}: year must be a whole year, such as 2019")
        elif item["year"] not in deflator:
            errors.append(f"{where}: year {item['year']} has no deflator index")
        if isinstance(item["value"], bool) or not isinstance(item["value"], int | float) or item["value"] < 0:
            errors.append(f"{where}: value must be a number of pounds, 0 or more")
        if item.get("codes") and not item.get("column"):
            errors.append(f"{where}: codes need the column they are read from")
        condition = item.get("where") or {}
        costs.append(
            UnitCost(
                code=str(item["code"]),
                label=str(item["label"]),
                kind=str(item["kind"]),
                rule=str(item["rule"]),
                unit=str(item["unit"]),
                value=float(item["value"]) if isinstance(item["value"], int | float) else 0.0,
                year=int(item["year"]) if isinstance(item["year"], int) else 0,
                type=str(item["type"]),
                agency=str(item["agency"]),
                problem=str(item["problem"]),
                source=str(item["source"]),
                verified=bool(item.get("verified", False)),
                date_column=str(item.get("date_column") or ""),
                column=str(item.get("column") or ""),
                codes=tuple(str(code) for code in item.get("codes") or ()),
                where_true=str(condition.get("column", "")) if condition.get("is_true") else "",
            )
        )
        named.append((where, costs[-1]))
    codes = [cost.code for cost in costs]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        errors.append(f"cost codes must be unique ({', '.join(repeated)} more than once)")
    if not costs and not errors:
        errors.append("no costs")
    if errors:
        raise UnitCostError("; ".join(errors), problems=errors, costs=named)
    return UnitCosts(
        name=str(data.get("name") or default_name),
        version=int(data.get("version", 1)),
        price_base_year=base,
        deflator=deflator,
        deflator_verified=bool(deflator_spec.get("verified", False)),
        costs=tuple(costs),
    )


def sample(households: Sequence[str], share: float, *, seed: int) -> list[str]:
    """A reproducible sample: the `share` of households first by a seeded hash of their id (at least one)."""
    if share >= 1:
        return sorted(households)
    ranked = sorted(households, key=lambda h: hashlib.sha256(f"{seed}:{h}".encode()).hexdigest())
    return sorted(ranked[: max(1, math.ceil(share * len(ranked)))])


def _use_sql(cost: UnitCost) -> str:
    """(household_id, before, after) of one cost: events counted or spell weeks, in the two 12-month windows."""
    base = (
        f"FROM ev_{cost.kind} e JOIN fam_links m ON m.dataset_version_id = e.dataset_version_id "
        "AND m.source_record_id = e.source_record_id"
    )
    condition = "TRUE"
    if cost.codes:
        codes = ", ".join("'" + code.replace("'", "''") + "'" for code in cost.codes)
        condition = f"e.{cost.column} IN ({codes})"
    if cost.where_true:
        condition += f" AND e.{cost.where_true}"
    if cost.rule == "events":
        on = f"e.{cost.date_column}"
        before = (
            f"CAST(SUM(CASE WHEN {on} >= m.start_on - {WINDOW_DAYS} AND {on} < m.start_on THEN 1 ELSE 0 END) AS DOUBLE)"
        )
        after = (
            f"CAST(SUM(CASE WHEN {on} >= m.start_on AND {on} < m.start_on + {WINDOW_DAYS} THEN 1 ELSE 0 END) AS DOUBLE)"
        )
    else:

        def weeks(first: str, last: str) -> str:
            end = f"LEAST(COALESCE(e.end_on, {last}), {last})"
            start = f"GREATEST(e.start_on, {first})"
            return f"SUM(GREATEST(date_diff('day', {start}, {end}) + 1, 0)) / 7.0"

        before = weeks(f"m.start_on - {WINDOW_DAYS}", "m.start_on - 1")
        after = weeks("m.start_on", f"m.start_on + {WINDOW_DAYS - 1}")
    return (
        f"SELECT m.household_id, COALESCE({before}, 0) AS before, COALESCE({after}, 0) AS after "
        f"{base} WHERE {condition} GROUP BY m.household_id"
    )


def service_use(snapshot: Snapshot, families: dict[str, dt.date], costs: UnitCosts, *, contracts: ContractSet) -> Any:
    """pandas DataFrame: household_id, cost, before, after (events or weeks), for every family and cost."""
    import pandas as pd

    engine = open_snapshot(snapshot, costs.kinds, contracts)
    try:
        engine.connection.register(
            "fam_input",
            pa.table(
                {
                    "household_id": list(families),
                    "start_on": pa.array(list(families.values()), type=pa.date32()),
                }
            ),
        )
        engine.create_view(
            "fam_members",
            "SELECT DISTINCT f.household_id, m.person_id, f.start_on FROM fam_input f JOIN memberships m ON "
            "m.household_id = f.household_id AND (m.start_on IS NULL OR m.start_on <= f.start_on) AND "
            "(m.end_on IS NULL OR m.end_on >= f.start_on)",
            is_materialized=True,
        )
        # The families' members' records only, once (as the impact panel's), so no cost joins the whole county's links.
        engine.create_view(
            "fam_links",
            "SELECT rp.dataset_version_id, rp.source_record_id, m.household_id, m.start_on FROM record_person rp "
            "JOIN fam_members m ON m.person_id = rp.person_id",
            is_materialized=True,
        )
        frames = []
        for cost in costs.costs:
            frame = engine.fetch(_use_sql(cost)).to_pandas()
            frame["cost"] = cost.code
            frames.append(frame)
    finally:
        engine.close()
    grid = pd.MultiIndex.from_product([sorted(families), [c.code for c in costs.costs]], names=["household_id", "cost"])
    use = pd.concat(frames).set_index(["household_id", "cost"]) if frames else pd.DataFrame()
    return use.reindex(grid, fill_value=0.0).reset_index()


@dataclass(frozen=True)
class Savings:
    """Costed service use: per family and cost, and the totals by problem, agency and type."""

    rows: list[dict[str, Any]]  # household_id, cost, label, agency, problem, type, before, after, cost_before, ...
    families: int
    by_family: list[dict[str, Any]]
    by_problem: list[dict[str, Any]]
    by_agency: list[dict[str, Any]]
    by_type: dict[str, float]
    total_before: float
    total_after: float

    @property
    def total_saving(self) -> float:
        return self.total_before - self.total_after


def cost_savings(use: Any, costs: UnitCosts) -> Savings:
    by_code = {cost.code: cost for cost in costs.costs}
    rows = []
    for record in use.to_dict("records"):
        cost = by_code[record["cost"]]
        price = costs.uprated(cost)
        rows.append(
            {
                **record,
                "label": cost.label,
                "agency": cost.agency,
                "problem": cost.problem,
                "type": cost.type,
                "unit_cost": price,
                "cost_before": record["before"] * price,
                "cost_after": record["after"] * price,
                "saving": (record["before"] - record["after"]) * price,
            }
        )

    def total(key: str) -> list[dict[str, Any]]:
        sums: dict[str, list[float]] = {}
        for row in rows:
            entry = sums.setdefault(str(row[key]), [0.0, 0.0])
            entry[0] += row["cost_before"]
            entry[1] += row["cost_after"]
        return [
            {key: name, "cost_before": b, "cost_after": a, "saving": b - a} for name, (b, a) in sorted(sums.items())
        ]

    by_type = {kind: 0.0 for kind in TYPES}
    for row in rows:
        by_type[row["type"]] += row["saving"]
    return Savings(
        rows=rows,
        families=len({row["household_id"] for row in rows}),
        by_family=total("household_id"),
        by_problem=total("problem"),
        by_agency=total("agency"),
        by_type=by_type,
        total_before=sum(row["cost_before"] for row in rows),
        total_after=sum(row["cost_after"] for row in rows),
    )


@dataclass(frozen=True)
class CostBenefit:
    fiscal: float
    economic: float
    social: float
    optimism_bias: float
    programme_cost: float

    @property
    def benefits(self) -> float:
        """All benefits, reduced by the optimism bias (a share taken off, as the national cost-benefit model did)."""
        return (self.fiscal + self.economic + self.social) * (1 - self.optimism_bias)

    @property
    def fiscal_benefits(self) -> float:
        return self.fiscal * (1 - self.optimism_bias)

    @property
    def net_benefit(self) -> float:
        return self.benefits - self.programme_cost

    @property
    def ratio(self) -> float | None:
        """Benefit per pound of programme cost (None without a cost)."""
        return self.benefits / self.programme_cost if self.programme_cost > 0 else None

    @property
    def fiscal_ratio(self) -> float | None:
        return self.fiscal_benefits / self.programme_cost if self.programme_cost > 0 else None


def cost_benefit(savings: Savings, *, programme_cost: float, optimism_bias: float) -> CostBenefit:
    if not 0 <= optimism_bias < 1:
        raise ValueError("the optimism bias is a share from 0 up to (not including) 1")
    return CostBenefit(
        fiscal=savings.by_type["fiscal"],
        economic=savings.by_type["economic"],
        social=savings.by_type["social"],
        optimism_bias=optimism_bias,
        programme_cost=programme_cost,
    )


def contract_problems(costs: UnitCosts | Sequence[tuple[str, UnitCost]], contracts: ContractSet) -> list[str]:
    """What each cost counts, checked against the data contracts: a known kind, a date column that is a date, a code
    column and a yes/no column that exist, a spell's start and end. Every name a cost gives is read into the query
    that counts it, so nothing unchecked reaches it."""
    from wholefamily.domain.contract import ColumnType

    named = (
        [(f"cost {n} ({cost.code})", cost) for n, cost in enumerate(costs.costs, 1)]
        if isinstance(costs, UnitCosts)
        else costs
    )
    problems = []
    for where, cost in named:
        contract = contracts.contracts.get(cost.kind)
        if contract is None:
            problems.append(f"{where}: kind {cost.kind!r} is not a kind of record the service holds")
            continue
        types = {column.name: column.type for column in contract.columns}
        if cost.rule == "events" and types.get(cost.date_column) is not ColumnType.DATE:
            problems.append(f"{where}: date_column {cost.date_column!r} is not a date column of {cost.kind}")
        if cost.rule == "weeks" and not {"start_on", "end_on"} <= set(types):
            problems.append(f"{where}: {cost.kind} records are not spells (no start_on and end_on) to count weeks of")
        if cost.column and cost.column not in types:
            problems.append(f"{where}: column {cost.column!r} is not a column of {cost.kind}")
        if cost.where_true and types.get(cost.where_true) is not ColumnType.BOOLEAN:
            problems.append(f"{where}: {cost.where_true!r} is not a yes/no column of {cost.kind}")
    return problems
