"""Potential savings: care and custody averted, by the stated method of definitions/impact/potential-savings.yaml
(ADR 0024). Kept apart from actual savings: an estimate of what did not happen, resting wholly on its assumptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wholefamily.impact.engine.savings import UnitCostError, UnitCosts


@dataclass(frozen=True)
class Risk:
    code: str
    label: str
    at_risk_when: tuple[str, ...]
    probability: float
    averted: float
    cost: str
    quantity: float
    assumption: str
    verified: bool


@dataclass(frozen=True)
class PotentialMethod:
    name: str
    version: int
    source: str
    risks: tuple[Risk, ...]


def load_potential(path: Path, costs: UnitCosts) -> PotentialMethod:
    """The method, validated as a whole against the unit costs it names: one error refuses it all."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise UnitCostError(f"{path.name}: not a potential savings definition")
    codes = {cost.code for cost in costs.costs}
    errors: list[str] = []
    risks = []
    for number, item in enumerate(data.get("risks") or [], start=1):
        where = f"risk {number} ({item.get('code', '?') if isinstance(item, dict) else '?'})"
        keys = ("code", "label", "at_risk_when", "probability", "averted", "cost", "quantity", "assumption")
        missing = [key for key in keys if not isinstance(item, dict) or key not in item]
        if missing:
            errors.append(f"{where}: missing {', '.join(missing)}")
            continue
        unknown = [c for c in [*item["at_risk_when"], item["cost"]] if c not in codes]
        if unknown:
            errors.append(f"{where}: no unit cost {', '.join(unknown)}")
        for share in ("probability", "averted"):
            if not isinstance(item[share], int | float) or not 0 <= item[share] <= 1:
                errors.append(f"{where}: {share} must be a share from 0 to 1")
        if not isinstance(item["quantity"], int | float) or item["quantity"] < 0:
            errors.append(f"{where}: quantity must be a number, not less than 0")
        if errors:
            continue
        risks.append(
            Risk(
                code=str(item["code"]),
                label=str(item["label"]),
                at_risk_when=tuple(item["at_risk_when"]),
                probability=float(item["probability"]),
                averted=float(item["averted"]),
                cost=str(item["cost"]),
                quantity=float(item["quantity"]),
                assumption=str(item["assumption"]),
                verified=bool(item.get("verified", False)),
            )
        )
    if not risks and not errors:
        errors.append("no risks")
    if errors:
        raise UnitCostError(f"{path.name}: " + "; ".join(errors))
    return PotentialMethod(str(data.get("name", path.stem)), int(data.get("version", 1)), str(data.get("source", "")),
                           tuple(risks))  # fmt: skip


def potential_savings(
    rows: Iterable[dict[str, Any]], method: PotentialMethod, costs: UnitCosts
) -> list[dict[str, Any]]:
    """Per risk: families at risk (any use before the start of a service it names), events averted, the saving."""
    by_code = {cost.code: cost for cost in costs.costs}
    used_before: dict[str, set[str]] = {}
    for row in rows:
        if row["before"] > 0:
            used_before.setdefault(str(row["cost"]), set()).add(str(row["household_id"]))
    result = []
    for risk in method.risks:
        at_risk = set().union(*(used_before.get(code, set()) for code in risk.at_risk_when))
        averted = len(at_risk) * risk.probability * risk.averted
        cost = by_code[risk.cost]
        unit_cost = costs.uprated(cost)
        result.append(
            {
                "risk": risk.code,
                "label": risk.label,
                "families_at_risk": len(at_risk),
                "probability": risk.probability,
                "averted": risk.averted,
                "events_averted": averted,
                "quantity": risk.quantity,
                "unit": cost.unit,
                "unit_cost": unit_cost,
                "type": cost.type,
                "agency": cost.agency,
                "saving": averted * risk.quantity * unit_cost,
                "assumption": risk.assumption,
                "verified": risk.verified,
            }
        )
    return result
