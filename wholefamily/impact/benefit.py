"""The cost-benefit figures of a stored savings run, and its exports (XLSX, PDF) in the shape councils reported."""

from __future__ import annotations

import io
from typing import Any

from wholefamily.impact.engine.savings import CostBenefit
from wholefamily.impact.models import SavingsRun


def figures(run: SavingsRun) -> CostBenefit:
    return CostBenefit(
        fiscal=float(run.by_type.get("fiscal", 0)),
        economic=float(run.by_type.get("economic", 0)),
        social=float(run.by_type.get("social", 0)),
        optimism_bias=run.optimism_bias,
        programme_cost=run.programme_cost,
    )


def cost_from(run: SavingsRun) -> str:
    """Where the programme cost came from, in words."""
    if run.programme_cost_from == "budget":
        lines = "line" if run.budget_lines == 1 else "lines"
        return (
            f"from the budget lines: the approved personalised budget spend of the costed families' cases in the 12 "
            f"months from each start, {run.budget_lines:,} {lines}"
        )
    return "given by whoever ran the savings"


def summary_rows(run: SavingsRun) -> list[tuple[str, str]]:
    benefit = figures(run)
    ratio = "not given (no programme cost)" if benefit.ratio is None else f"£{benefit.ratio:,.2f} per £1"
    fiscal_ratio = "not given" if benefit.fiscal_ratio is None else f"£{benefit.fiscal_ratio:,.2f} per £1"
    return [
        ("Families costed", f"{run.families}" + ("" if run.sample_share >= 1 else f" ({run.sample_share:.0%} sample)")),
        ("Prices", f"{run.price_base_year} prices ({run.unit_costs})"),
        ("Cost of services, 12 months before", f"£{run.total_before:,.0f}"),
        ("Cost of services, 12 months after", f"£{run.total_after:,.0f}"),
        ("Fiscal benefit", f"£{benefit.fiscal:,.0f}"),
        ("Economic benefit", f"£{benefit.economic:,.0f}"),
        ("Social benefit", f"£{benefit.social:,.0f}"),
        ("Optimism bias", f"{benefit.optimism_bias:.0%} taken off every benefit"),
        ("Benefits after optimism bias", f"£{benefit.benefits:,.0f}"),
        ("Programme cost", f"£{benefit.programme_cost:,.0f} ({cost_from(run)})"),
        ("Net benefit", f"£{benefit.net_benefit:,.0f}"),
        ("Benefit-cost ratio (all benefits)", ratio),
        ("Benefit-cost ratio (fiscal only)", fiscal_ratio),
    ]


def savings_xlsx(run: SavingsRun) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet: Any = book.active
    sheet.title = "Cost-benefit"
    sheet.append(["Measure", "Value"])
    for label, value in summary_rows(run):
        sheet.append([label, value])
    if run.unverified:
        sheet.append(["Unverified unit costs", "; ".join(run.unverified_labels)])
    for title, rows, key in (
        ("By agency", run.by_agency, "agency"),
        ("By problem", run.by_problem, "problem"),
        ("By family", run.by_family, "household_id"),
    ):
        part = book.create_sheet(title)
        part.append([key, "cost_before", "cost_after", "saving"])
        for row in rows:
            part.append([row[key], round(row["cost_before"], 2), round(row["cost_after"], 2), round(row["saving"], 2)])
    potential = book.create_sheet("Potential savings")
    potential.append(["risk", "label", "families_at_risk", "probability", "averted", "events_averted", "quantity",
                      "unit", "unit_cost", "type", "agency", "potential_saving", "assumption", "verified"])  # fmt: skip
    for row in run.potential:
        potential.append([row["risk"], row["label"], row["families_at_risk"], row["probability"], row["averted"],
                          round(row["events_averted"], 3), row["quantity"], row["unit"], round(row["unit_cost"], 2),
                          row["type"], row["agency"], round(row["saving"], 2), row["assumption"],
                          row["verified"]])  # fmt: skip
    costs = book.create_sheet("Unit costs")
    costs.append(["cost", "label", "agency", "type", "unit", "unit_cost", "before", "after", "source", "verified"])
    for row in run.by_cost:
        costs.append([row["cost"], row["label"], row["agency"], row["type"], row["unit"], round(row["unit_cost"], 2),
                      round(row["before"], 2), round(row["after"], 2), row["source"], row["verified"]])  # fmt: skip
    for part in book.worksheets:
        for cell in part[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def savings_pdf(run: SavingsRun) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    styles = getSampleStyleSheet()
    story: list[Any] = [Paragraph("Cost savings and cost-benefit", styles["Title"])]
    if run.unverified:
        story.append(
            Paragraph(
                escape("Unverified unit costs (figures illustrative): " + "; ".join(run.unverified_labels)),
                styles["Normal"],
            )
        )
    story += [Spacer(1, 6), Table([["Measure", "Value"], *summary_rows(run)]), Spacer(1, 12)]
    story += [Paragraph("By agency", styles["Heading2"])]
    story.append(
        Table(
            [["Agency", "Before", "After", "Saving"]]
            + [
                [row["agency"], f"£{row['cost_before']:,.0f}", f"£{row['cost_after']:,.0f}", f"£{row['saving']:,.0f}"]
                for row in run.by_agency
            ]
        )
    )
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title="Cost savings and cost-benefit").build(story)
    return out.getvalue()
