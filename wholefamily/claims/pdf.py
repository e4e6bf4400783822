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

from wholefamily.claims.models import Claim, EvaluatedFamily
from wholefamily.claims.templatetags.claims_pages import long_date
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


def _date(value: Any) -> str:
    return long_date(value) if value else ""


def _conditions(pack: dict[str, Any]) -> list[Any]:
    """Each result and condition: status (as an auditor reads it), period looked at, members and records; and why
    the family is not paid, when it is not."""
    styles = getSampleStyleSheet()
    story: list[Any] = []
    if pack.get("why_not_payable"):
        story += [Spacer(1, 4 * mm), Paragraph(escape(f"Not payable: {pack['why_not_payable']}"), styles["BodyText"])]
    for result in pack.get("results", []):
        status = result.get("status_label", result["status"])
        story += [
            Spacer(1, 4 * mm),
            Paragraph(escape(f"{result['label']}: {status} ({result['reason']})"), styles["Heading2"]),
        ]
        for condition in result.get("conditions", []):
            period = ""
            if condition.get("period_from"):
                period = f"; period looked at {_date(condition['period_from'])} to {_date(condition['period_to'])}"
            label = condition.get("status_label", condition["status"])
            story.append(
                Paragraph(escape(f"{condition['label']}: {label} - {condition['reason']}{period}"), styles["Heading4"])
            )
            rows = [["Member", "Status", "Before", "After", "Source records"]]
            rows += [
                [m["label"], m.get("status_label", m["status"]), m["before"], m["after"], "; ".join(m["refs"])]
                for m in condition.get("members", [])
            ]
            if len(rows) > 1:
                story.append(_table(rows, [28 * mm, 22 * mm, 35 * mm, 40 * mm, 55 * mm]))
    return story


def evaluated_family_pdf(family: EvaluatedFamily) -> bytes:
    """A family of a window, payable or not: its results and conditions, why it is not paid, and the case."""
    styles = getSampleStyleSheet()
    pack: dict[str, Any] = family.evidence
    verdict = "payable: " + ", ".join(family.results) if family.results else "not payable"
    story: list[Any] = [
        Paragraph(escape(f"Family {family.family_id} in {family.programme} {family.window}"), styles["Title"]),
        Paragraph(
            escape(
                f"Rules {pack.get('rules', '')}; window {family.window} (as of {_date(pack.get('as_of'))}); "
                f"household {family.household_id}; intervention started {_date(pack.get('start_on'))}; {verdict}."
            ),
            styles["BodyText"],
        ),
        *_conditions(pack),
        *_case(pack),
    ]
    return _build(story, f"Family {family.family_id} evidence")


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
    story += [*_conditions(pack), *_case(pack)]
    return _build(story, f"Results claim {claim.reference}")


def _case(pack: dict[str, Any]) -> list[Any]:
    styles = getSampleStyleSheet()
    story: list[Any] = []
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
        story.append(Paragraph("No case is linked to this family.", styles["BodyText"]))
    return story


def _build(story: list[Any], title: str) -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm).build(story)
    return buffer.getvalue()
