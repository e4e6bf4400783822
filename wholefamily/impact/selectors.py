"""Reads of stored impact analyses: aggregates only (no person's record), for the roles of IMPACT_READERS."""

from __future__ import annotations

from typing import Any

from wholefamily.domain.roles import Role
from wholefamily.impact.models import ImpactRun, SavingsRun

# ADR 0002: commissioners work on aggregates; programme managers and data analysts see the whole county.
IMPACT_READERS = (Role.PROGRAMME_MANAGER, Role.COMMISSIONER, Role.DATA_ANALYST)
# ADR 0029: the council's own unit costs are imported and chosen by those who run the savings.
UNIT_COST_KEEPERS = (Role.PROGRAMME_MANAGER, Role.DATA_ANALYST)

WIDTH, HEIGHT, PAD = 320, 160, 30

# What the difference-in-differences estimate assumes (ADR 0023): said on the page and in the board pack alike.
ASSUMPTIONS = (
    "Matched families would have changed alike without the work (parallel trends). The charts show the 12 months "
    "before the start; the pre-period check should be near zero.",
    "The families were matched on what was known before the start: outcomes in the 12 months before, family size, "
    "children, ages and district. Anything else that made a family more likely to be worked with is not accounted "
    "for.",
    "A comparison family has no start date, so it is compared from a start drawn from the worked-with families' "
    "starts.",
    "Outcomes are read from the linked records; a record linked to the wrong person, or missing, counts as it is.",
)
SAVINGS_CAVEAT = (
    "Actual savings are the cost of services in the 12 months before each family's start less the 12 months after: "
    "before and after, not impact, since families' use of services falls without the programme too."
)
BAR_WIDTH, BAR_STEP = 600, 52


def latest_run() -> ImpactRun | None:
    return ImpactRun.objects.prefetch_related("effects").first()


def trend_charts(run: ImpactRun) -> list[dict[str, Any]]:
    """Per outcome: SVG polyline points (worked-with, comparison) over the terms, and the rows of its table."""
    charts = []
    labels = {effect.outcome: effect.label for effect in run.effects.all()}
    for code, series in run.trends.items():
        terms = [int(point[0]) for point in series]
        span = max(terms) - min(terms) or 1

        def xy(index: int, value: float, terms: list[int] = terms, span: int = span) -> str:
            x = PAD + (terms[index] - terms[0]) * (WIDTH - 2 * PAD) / span
            y = HEIGHT - PAD - value * (HEIGHT - 2 * PAD)
            return f"{x:.1f},{y:.1f}"

        charts.append(
            {
                "code": code,
                "label": labels.get(code, code),
                "worked": " ".join(xy(i, float(point[1])) for i, point in enumerate(series)),
                "comparison": " ".join(xy(i, float(point[2])) for i, point in enumerate(series)),
                "start_x": PAD + (0 - terms[0]) * (WIDTH - 2 * PAD) / span,
                "rows": [{"term": int(p[0]), "worked": float(p[1]), "comparison": float(p[2])} for p in series],
            }
        )
    return charts


def latest_savings() -> SavingsRun | None:
    return SavingsRun.objects.first()


def agency_bars(run: SavingsRun) -> list[dict[str, Any]]:
    """Horizontal SVG bars of the cost before and after by agency, scaled to the largest."""
    largest = max([max(row["cost_before"], row["cost_after"]) for row in run.by_agency] or [0]) or 1
    return [
        {
            **row,
            "before_px": round(BAR_WIDTH * row["cost_before"] / largest, 1),
            "after_px": round(BAR_WIDTH * row["cost_after"] / largest, 1),
            "y_label": 16 + index * BAR_STEP,
            "y_before": 22 + index * BAR_STEP,
            "y_after": 34 + index * BAR_STEP,
        }
        for index, row in enumerate(run.by_agency)
    ]
