"""The market position statement (ADR 0027): the figures of need, provision and gaps it is dated with (counts through
the small-numbers rule, no family), a new version for every change of the commissioner's narrative, and its PDF built
with the board pack's styles and tables (reporting.pdf)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wholefamily.commissioning import rates, selectors
from wholefamily.commissioning.definitions import catalogue_definition, problem_choices
from wholefamily.commissioning.models import MarketPositionStatement, Service
from wholefamily.domain.commissioning import ranked_need
from wholefamily.governance.audit import record
from wholefamily.reporting.definitions import small_numbers


def current_figures() -> dict[str, Any]:
    """Need by district, the services running today, gaps, need no service targets and overlaps, as text to show."""
    rule = small_numbers()
    today = timezone.localdate()
    run = selectors.latest_run()
    problems = dict(problem_choices())
    definition = catalogue_definition()
    need_rows = ranked_need([selectors.area_families(run)], by_ward=False) if run else []
    report = selectors.capacity_report(run, on=today)
    area = rates.needs_rates(run, by_ward=False) if run else None
    running = [s for s in Service.objects.all() if s.starts_on <= today and (s.ends_on is None or s.ends_on >= today)]
    return {
        "identified_on": run.as_of_on.isoformat() if run else None,
        "programme": run.programme_title if run else "",
        "small_numbers": f"counts from 1 to {rule.threshold - 1} are shown as {rule.shown_as}",
        "need": {"head": ["District", "Identified families"],
                 "body": [[row.area, rule.count_text(row.families)] for row in need_rows]},
        "rates": rates.rates_table(area, rule) if area and area.has_statistics else {"head": [], "body": []},
        "rates_note": rates.estimate_note(area) if area and area.has_statistics else "",
        "rates_chart": rates.chart_points(area, rule) if area and area.has_statistics else [],
        "provision": {"head": ["Service", "Provider", "Targets", "Districts", "Places a quarter", "Evidence"],
                      "body": [[s.name + (" (example)" if s.is_example else ""),
                                f"{s.provider} ({s.get_delivery_display().lower()})",
                                "; ".join(problems.get(c, c) for c in s.target_needs), ", ".join(s.districts),
                                str(selectors.service_facts(s).places), definition.rating_label(s.evidence_rating)]
                               for s in running]},
        "gaps": {"head": ["Service", "District", "Families in need", "Places a quarter", "Beyond the places"],
                 "body": [[row.service, row.district, rule.count_text(row.need), str(round(row.places)),
                           "" if rule.is_small(row.need) else f"{round(row.gap):,}"]
                          for row in report.rows if row.is_gap]},
        "unserved": {"head": ["District", "Headline problem", "Families"],
                     "body": [[u.district, problems.get(u.problem, u.problem), rule.count_text(u.families)]
                              for u in report.unserved]},
        "overlaps": {"head": ["District", "Families", "Services"],
                     "body": [[o.district, rule.count_text(o.families), "; ".join(o.services)]
                              for o in report.overlaps]},
    }  # fmt: skip


@transaction.atomic
def publish(*, title: str, summary: str, intentions: str, to_providers: str, by: User) -> MarketPositionStatement:
    """A new version, dated today, with today's figures."""
    latest = MarketPositionStatement.objects.select_for_update().aggregate(top=Max("version"))["top"] or 0
    statement = MarketPositionStatement.objects.create(
        version=latest + 1, title=title.strip(), dated_on=timezone.localdate(), summary=summary.strip(),
        intentions=intentions.strip(), to_providers=to_providers.strip(), figures=current_figures(),
        created_at=timezone.now(), created_by=by,
    )  # fmt: skip
    record(by=by, action="create", obj=statement, detail={"version": statement.version})
    return statement


SECTIONS = (
    ("need", "Need: identified families by district"),
    ("rates", "Need per 1,000 residents by district, with the deprivation decile"),
    ("provision", "Current provision"),
    ("gaps", "Gaps: need beyond the places"),
    ("unserved", "Need no service targets"),
    ("overlaps", "Families with two key workers from services"),
)


def statement_pdf(statement: MarketPositionStatement, *, council: str) -> bytes:
    """The statement as a PDF, with the board pack's styles and tables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from wholefamily.reporting.pdf import _p, _styles, _table

    styles = _styles()
    figures = statement.figures
    dated = f"{statement.dated_on.day} {statement.dated_on:%B %Y}"
    story: list[Any] = [
        _p(council, styles["h2"]),
        _p(statement.title, styles["title"]),
        _p(f"Market position statement, version {statement.version}, dated {dated}", styles["cover"]),
        Spacer(1, 6 * mm),
        _p(
            "Figures only: no family can be identified from this statement. Small numbers are hidden: "
            f"{figures.get('small_numbers', '')}.",
            styles["body"],
        ),
        _p("The strategic direction", styles["h1"]),
        *[_p(text, styles["body"]) for text in statement.summary.splitlines() if text.strip()],
    ]
    if figures.get("rates_note"):
        story.append(_p(figures["rates_note"], styles["body"]))
    for key, caption in SECTIONS:
        table = figures.get(key)
        if table:
            story += _table({"caption": caption, "head": table["head"], "body": table["body"]}, styles)
        if key == "rates" and figures.get("rates_chart"):
            story.append(rates_chart(figures["rates_chart"]))
    story += [_p("Commissioning intentions", styles["h1"])]
    story += [_p(text, styles["body"]) for text in statement.intentions.splitlines() if text.strip()]
    if statement.to_providers:
        story += [_p("To providers", styles["h1"])]
        story += [_p(text, styles["body"]) for text in statement.to_providers.splitlines() if text.strip()]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=18 * mm,
        title=f"{statement.title}, version {statement.version}", author=council, subject="Market position statement",
        pageCompression=0,  # its words readable in the file (tests, search)
    ).build(story)  # fmt: skip
    return buffer.getvalue()


CHART_TITLE = "Identified families per 1,000 residents, by district"


def rates_chart(points: list[list[Any]]) -> Any:
    """A bar chart of the rates table above it: a hidden or unknown rate has no bar (its words are in the table)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    from wholefamily.reporting.pdf import BLUE

    shown = points[:15]
    height = 10 * mm + 6 * mm * len(shown)
    drawing = Drawing(170 * mm, height + 8 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45 * mm, 4 * mm, 115 * mm, height - 6 * mm
    chart.data = [[rate if rate is not None else 0 for _area, rate in reversed(shown)]]
    chart.categoryAxis.categoryNames = [str(area)[:32] for area, _rate in reversed(shown)]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, height + 2 * mm, CHART_TITLE, fontSize=9, fillColor=colors.black))
    return drawing
