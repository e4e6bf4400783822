"""Need by area: per district and ward, families per indicator and problem, per 1,000 residents, and the estimate.

As in the progress table of Working Together With Families (Lancashire, 2013), section 2.4 (families identified
against the estimate, by district). Pure: takes the evaluated families and residents as plain rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from wholefamily.domain.criteria.schema import Programme

COUNTY = "All districts"


@dataclass
class AreaNeed:
    district: str
    ward: str  # "" for a district's total
    residents: int = 0
    families: int = 0
    qualifying: int = 0
    estimated: int | None = None
    by_problem: dict[str, int] = field(default_factory=dict)
    by_indicator: dict[str, int] = field(default_factory=dict)

    @property
    def qualifying_per_1000(self) -> Decimal | None:
        if not self.residents:
            return None
        return (Decimal(self.qualifying * 1000) / self.residents).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def identified_minus_estimate(self) -> int | None:
        return None if self.estimated is None else self.qualifying - self.estimated


def need_by_area(
    programme: Programme,
    *,
    families: Iterable[Mapping[str, Any]],
    residents: Iterable[Mapping[str, Any]],
    by_ward: bool = True,
) -> list[AreaNeed]:
    """Rows for every district (and ward when `by_ward`), then the county total, sorted by district and ward."""
    areas: dict[tuple[str, str], AreaNeed] = {}

    def area_keys(district: str | None, ward: str | None) -> list[tuple[str, str]]:
        name = district or "Not known"
        keys = [(name, ""), (COUNTY, "")]
        if by_ward:
            keys.append((name, ward or "Not known"))
        return keys

    for row in residents:
        for key in area_keys(row.get("district"), row.get("ward")):
            areas.setdefault(key, AreaNeed(*key)).residents += int(row["residents"])
    problems = [problem.code for problem in programme.problems]
    indicators = [indicator.code for indicator in programme.indicators]
    for row in families:
        for key in area_keys(row.get("district"), row.get("ward")):
            area = areas.setdefault(key, AreaNeed(*key))
            area.families += 1
            area.qualifying += row.get("qualifying_route") is not None
            for code in problems:
                area.by_problem[code] = area.by_problem.get(code, 0) + int(row.get(f"problem_{code}") or 0)
            for code in indicators:
                area.by_indicator[code] = area.by_indicator.get(code, 0) + int(row.get(code) or 0)
    if programme.estimate_per_1000 is not None:
        for area in areas.values():
            estimate = Decimal(area.residents) * programme.estimate_per_1000 / 1000
            area.estimated = int(estimate.quantize(Decimal(1), ROUND_HALF_UP))
    return sorted(areas.values(), key=lambda a: (a.district == COUNTY, a.district, a.ward != "", a.ward))
