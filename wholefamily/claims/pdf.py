"""A claim's evidence pack as a printable PDF (reportlab): the same content as the evidence pack page."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from wholefamily.claims.models import Claim
from wholefamily.domain.claims.funding import format_pounds


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    styles = getSampleStyleSheet()
    cells = [[Paragraph(escape(str(cell)), styles["BodyText"]) for cell in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def evidence_pack_pdf(claim: Claim) -> bytes:
    """The claim, its results and conditions with before/after values and source records, and the case."""
    styles = getSampleStyleSheet()
    pack: dict[str, Any] = claim.evidence
    story: list[Any] = [
        Paragraph(escape(f"Results claim {claim.reference}"), styles["Title"]),
        Paragraph(
            escape(
                f"Rules {pack.get('rules', '')}; funding {pack.get('funding', '') or 'none'}; window {claim.window} "
                f"(as of {pack.get('as_of', '')}); state {claim.get_state_display()}; amount "
                f"{format_pounds(claim.amount_pence)}; results claimed: {', '.join(claim.results)}."
            ),
            styles["BodyText"],
        ),
        Paragraph(
            escape(
                f"Family {claim.family_id} (household {claim.household_id}); intervention started "
                f"{pack.get('start_on', '')}; problems at identification: "
                f"{', '.join(pack.get('problems_at_identification', [])) or 'none recorded'}."
            ),
            styles["BodyText"],
        ),
    ]
    for result in pack.get("results", []):
        story += [
            Spacer(1, 4 * mm),
            Paragraph(escape(f"{result['label']}: {result['status']} ({result['reason']})"), styles["Heading2"]),
        ]
        for condition in result.get("conditions", []):
            period = f"{condition.get('period_from') or ''} to {condition.get('period_to') or ''}"
            story.append(
                Paragraph(
                    escape(f"{condition['label']}: {condition['status']} - {condition['reason']} ({period})"),
                    styles["Heading4"],
                )
            )
            rows = [["Member", "Status", "Before", "After", "Source records"]]
            rows += [
                [m["label"], m["status"], m["before"], m["after"], "; ".join(m["refs"])]
                for m in condition.get("members", [])
            ]
            if len(rows) > 1:
                story.append(_table(rows, [28 * mm, 22 * mm, 35 * mm, 40 * mm, 55 * mm]))
    case = pack.get("case") or {}
    story += [Spacer(1, 4 * mm), Paragraph("The case", styles["Heading2"])]
    if case:
        assessment, plan = case.get("assessment") or {}, case.get("plan") or {}
        rows = [
            ["Item", "Detail"],
            ["Case", f"{case.get('reference', '')} ({case.get('family_name', '')}), team {case.get('team', '')}"],
            ["Lead professional", case.get("lead_professional", "") or "none allocated"],
            [
                "Assessment",
                f"{assessment.get('assessed_on', '')}: {assessment.get('summary', '')}"
                if assessment
                else "none recorded",
            ],
            [
                "Plan",
                f"agreed {plan.get('agreed_on', '')} (version {plan.get('version', '')}): {plan.get('aims', '')}"
                if plan
                else "none recorded",
            ],
        ]
        rows += [
            [
                "Goal",
                f"{g['description']} ({g['agency']}, due {g['due_on']}, {'achieved' if g['is_achieved'] else 'open'})",
            ]
            for g in plan.get("goals", [])
        ]
        story.append(_table(rows, [40 * mm, 140 * mm]))
    else:
        story.append(Paragraph("No case is linked to this claim.", styles["BodyText"]))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=f"Results claim {claim.reference}", leftMargin=15 * mm, rightMargin=15 * mm
    ).build(story)
    return buffer.getvalue()
