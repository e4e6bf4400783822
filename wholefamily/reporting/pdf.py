"""The board pack as a council board paper (reportlab): cover, contents, numbered sections with each chart followed by
its table, notes on method, and a footer on every page. Drawn only from the pack's figures (pack.py)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.tableofcontents import TableOfContents

BLUE = colors.HexColor("#1d70b8")
GREY = colors.HexColor("#f3f2f1")
WIDTH = A4[0] - 36 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("PackTitle", parent=base["Title"], fontSize=24, leading=30, alignment=0),
        "h1": ParagraphStyle("PackH1", parent=base["Heading1"], fontSize=16, leading=20, spaceBefore=6),
        "h2": ParagraphStyle("PackH2", parent=base["Heading2"], fontSize=13, leading=16, spaceBefore=8),
        "h3": ParagraphStyle("PackH3", parent=base["Heading3"], fontSize=11, leading=14, spaceBefore=6),
        "body": ParagraphStyle("PackBody", parent=base["BodyText"], fontSize=10, leading=13),
        "small": ParagraphStyle("PackSmall", parent=base["BodyText"], fontSize=8.5, leading=11),
        "cell": ParagraphStyle("PackCell", parent=base["BodyText"], fontSize=8.5, leading=10.5),
        "big": ParagraphStyle("PackBig", parent=base["BodyText"], fontSize=14, leading=18),
        "warning": ParagraphStyle(
            "PackWarning",
            parent=base["BodyText"],
            fontName="Helvetica-Bold",
            fontSize=10.5,
            leading=14,
            borderColor=colors.black,
            borderWidth=1.5,
            borderPadding=4,
            spaceBefore=4,
            spaceAfter=8,
        ),
        "cover": ParagraphStyle("PackCover", parent=base["BodyText"], fontSize=12, leading=18),
    }


class _PackDocument(SimpleDocTemplate):  # type: ignore[misc]
    """Sends each section heading to the contents page."""

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Paragraph) and flowable.style.name == "PackH1":
            self.notify("TOCEntry", (0, flowable.getPlainText(), self.page))


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(table: dict[str, Any], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    head = table["head"]
    first = 0.34 if len(head) > 2 else 0.6
    rest = (1 - first) / max(len(head) - 1, 1)
    widths = [WIDTH * first, *([WIDTH * rest] * (len(head) - 1))]
    rows = [[_p(cell, styles["cell"]) for cell in head]]
    rows += [[_p(cell, styles["cell"]) for cell in row] for row in table["body"]]
    if len(rows) == 1:
        rows.append([_p("Nothing to count in the quarter.", styles["cell"]), *([""] * (len(head) - 1))])
    flowable = Table(rows, colWidths=widths, repeatRows=1)
    flowable.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                ("BACKGROUND", (0, 0), (-1, 0), GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [_p(table["caption"], styles["h3"]), flowable, Spacer(1, 4 * mm)]


def _chart(title: str, trend: list[list[Any]]) -> Drawing:
    """A column chart of a measure over quarters; a hidden figure has no column and its words under the axis."""
    drawing = Drawing(95 * mm, 48 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, 78 * mm, 30 * mm
    chart.data = [[(number if number is not None else 0) for _, _, number in trend]]
    chart.categoryAxis.categoryNames = [label for label, _, _ in trend]
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = min([0, *(n for _, _, n in trend if n is not None)])
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(String(12 * mm, 45 * mm, title[:70], fontSize=7.5, fillColor=colors.black))
    return drawing


def _measure(measure: dict[str, Any], styles: dict[str, ParagraphStyle]) -> Flowable:
    trend = measure["trend"]
    rows = [[_p("Quarter", styles["cell"]), _p("Figure", styles["cell"])]]
    rows += [[_p(label, styles["cell"]), _p(text, styles["cell"])] for label, text, _ in trend]
    figures = Table(rows, colWidths=[30 * mm, 40 * mm])
    figures.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                                 ("BACKGROUND", (0, 0), (-1, 0), GREY)]))  # fmt: skip
    side = Table([[_chart(f"{measure['label']} by quarter ({measure['unit']})", trend), figures]],
                 colWidths=[100 * mm, WIDTH - 100 * mm])  # fmt: skip
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    parts: list[Flowable] = [
        _p(measure["label"], styles["h3"]),
        _p(f"{measure['current']} in the quarter", styles["big"]),
    ]
    if measure.get("note"):
        parts.append(_p(measure["note"], styles["small"]))
    return KeepTogether([*parts, side, Spacer(1, 3 * mm)])


def _section(number: int, section: dict[str, Any], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), _p(f"{number}. {section['title']}", styles["h1"])]
    if section["kind"] == "card":
        for question in section["questions"]:
            story.append(_p(question["question"], styles["h2"]))
            story += [_measure(m, styles) for m in question["measures"]]
    if section["kind"] == "monitoring":
        for table in section["indicators"]:
            story += _table(table, styles)
        chart = section["chart"]
        note = _p('The figures are under "Referrals received" above.', styles["small"])
        story.append(KeepTogether([_chart(chart["title"], chart["trend"]), note]))
    for warning in section.get("warnings", []):
        story.append(_p(warning, styles["warning"]))
    story += [_p(text, styles["body"]) for text in section.get("paragraphs", [])]
    if section["kind"] == "review":
        for heading, text in section.get("narrative", []):
            story.append(_p(heading, styles["h2"]))
            story += [_p(part, styles["body"]) for part in str(text).splitlines() if part.strip()]
        chart = section["chart"]
        note = _p("The figures are in the table that follows and under \"Referrals received\" in the monitoring.",
                  styles["small"])  # fmt: skip
        story.append(KeepTogether([_chart(chart["title"], chart["trend"]), note]))
    for table in section.get("tables", []):
        story += _table(table, styles)
    if section.get("not_recorded"):
        story.append(_p("What the service does not record", styles["h2"]))
        story += [_p(f"{name}: {reason}", styles["body"]) for name, reason in section["not_recorded"]]
    return story


def board_pack_pdf(figures: dict[str, Any], *, version: int, built_on: str, built_by: str) -> bytes:
    """The pack as a PDF board paper."""
    styles = _styles()
    council = figures["council"]
    contents = TableOfContents()
    contents.levelStyles = [ParagraphStyle("TOC1", fontSize=11, leading=16, leftIndent=0)]
    story: list[Flowable] = [
        _p(council, styles["h2"]),
        Spacer(1, 30 * mm),
        _p("Report to the programme board", styles["cover"]),
        _p(figures["title"], styles["title"]),
        _p(figures["quarter"]["label"], styles["h2"]),
        Spacer(1, 12 * mm),
        _p(f"Date: {built_on}", styles["cover"]),
        _p(f"Version: {version}", styles["cover"]),
        _p(f"Prepared by: {built_by}, for the programme manager", styles["cover"]),
        _p("Electoral divisions affected: all", styles["cover"]),
        Spacer(1, 12 * mm),
        _p(
            "Figures only: no family can be identified from this paper. Small numbers are hidden: "
            f"{figures['small_numbers']}.",
            styles["body"],
        ),
        PageBreak(),
        _p("Contents", ParagraphStyle("PackContents", parent=styles["h1"])),
        contents,
    ]
    for number, section in enumerate(figures["sections"], start=1):
        story += _section(number, section, styles)
    story += [PageBreak(), _p(f"{len(figures['sections']) + 1}. Notes on method", styles["h1"])]
    story += [_p(note, styles["body"]) for note in figures["notes"]]

    def footer(canvas: Canvas, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, f"{council}: {figures['quarter']['label']}, version {version}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = _PackDocument(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{figures['title']}, {figures['quarter']['label']}",
        author=council,
        subject="Board pack",
    )
    document.multiBuild(story, onFirstPage=lambda canvas, doc: None, onLaterPages=footer)
    return buffer.getvalue()
