"""A quarter's board pack as figures: the report cards, service monitoring, the district progress table and the funding
position, every count suppressed, as one JSON document that the PDF and the workbook are both drawn from (ADR 0022).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Sum
from django.utils import timezone

from wholefamily.cases.models import DistrictEstimate
from wholefamily.cases.selectors import progress_by_district
from wholefamily.claims import selectors as claims
from wholefamily.claims.definitions import available_funding, available_results, funding_definition, results_rules
from wholefamily.claims.models import Claim
from wholefamily.domain.claims.funding import format_pounds
from wholefamily.domain.claims.states import ClaimState
from wholefamily.domain.progress import NullProgress, ProgressReporter
from wholefamily.domain.reporting.quarters import Quarter
from wholefamily.domain.reporting.small_numbers import SmallNumbers, suppress_table
from wholefamily.impact import selectors as impact
from wholefamily.impact.benefit import figures as cost_benefit
from wholefamily.impact.benefit import summary_rows
from wholefamily.reporting import selectors
from wholefamily.reporting.definitions import monitoring_definition, small_numbers
from wholefamily.reporting.indirect import IndirectImpact, indirect_impact
from wholefamily.reporting.models import ServiceReview
from wholefamily.reporting.records import family_records, referral_records
from wholefamily.reporting.tables import TableView, table_view
from wholefamily.web.dates import govuk_date

PACK_TREND = 4
SOURCES = (
    "Commissioning for Families with Complex Needs, Appendix E (Team Around the Family report cards)",
    "Commissioning for Families with Complex Needs, Appendix C section 13 (monitoring indicators, service review)",
    "Working Together With Families: Progress and Funding Arrangements (Lancashire, 2013), section 2.4 (progress "
    "table by district) and section 4.2 (funding table)",
    "Working Together With Families: Progress and Funding Arrangements (Lancashire, 2013), section 3.4 (cost savings)",
)


def _table(view: TableView) -> dict[str, Any]:
    return {
        "caption": view.caption,
        "head": list(view.head),
        "body": [list(row) for row in view.body],
        "values": [list(row) for row in view.values],
    }


def _card(card: selectors.ReportCard) -> dict[str, Any]:
    return {
        "kind": "card",
        "title": f"Report card: {card.title.lower()}",
        "questions": [
            {
                "question": section.question,
                "measures": [
                    {
                        "label": m.label,
                        "note": m.note,
                        "unit": m.unit,
                        "current": m.current.text,
                        "trend": [[q.short_label, shown.text, shown.number] for q, shown in m.trend],
                    }
                    for m in section.measures
                ],
            }
            for section in card.sections
        ],
        "tables": [_table(table_view(card.plan_results, card.rule))]
        + ([_table(table_view(card.time_with_families, card.rule))] if card.time_with_families else []),
    }


def _monitoring(report: selectors.Monitoring) -> dict[str, Any]:
    head = ["Indicator", *(q.short_label for q in report.quarters)]
    questions: dict[str, tuple[list[list[Any]], list[list[Any]]]] = {}
    for row in report.rows:
        body, values = questions.setdefault(row.question, ([], []))
        body.append([row.label, *(shown.text for shown in row.values)])
        values.append([row.label_with_unit, *(s.text if s.number is None else s.number for s in row.values)])
    return {
        "kind": "monitoring",
        "title": "Service monitoring",
        "indicators": [
            {"caption": question, "head": head, "body": body, "values": values}
            for question, (body, values) in questions.items()
        ],
        "chart": {
            "title": "Referrals received by quarter",
            "trend": [[q.short_label, shown.text, shown.number] for q, shown in report.referrals_trend],
        },
        "tables": [_table(table_view(t, report.rule)) for t in report.breakdowns],
        "not_recorded": [[item.indicator, item.reason] for item in report.not_recorded],
    }


def _review(quarter: Quarter, report: selectors.Monitoring) -> dict[str, Any]:
    """The quarterly service review report (Commissioning for Families with Complex Needs, Appendix C section 13.3):
    the chart of the agreed data and the quarter's figures beside the narrative written in the service, the version
    current when the pack is built (kept in the pack as it was)."""
    review = (
        ServiceReview.objects.filter(quarter=quarter.code).order_by("-version").select_related("written_by").first()
    )
    if review is None:
        paragraphs = ["The service has not written its review of the quarter."]
        narrative: list[list[str]] = []
    else:
        author = review.written_by.get_full_name() or review.written_by.get_username()
        paragraphs = [f"Written in the service by {author} on {govuk_date(timezone.localdate(review.written_at))} "
                      f"(version {review.version} of the quarter's review)."]  # fmt: skip
        narrative = [[label, text or "Not written."] for label, text in review.sections]
    index = report.quarters.index(quarter)
    body = [[row.label, row.values[index].text] for row in report.rows]
    values = [[row.label_with_unit, s.text if s.number is None else s.number]
              for row in report.rows for s in (row.values[index],)]  # fmt: skip
    return {
        "kind": "review",
        "title": "Quarterly service review",
        "paragraphs": paragraphs,
        "narrative": narrative,
        "chart": {
            "title": "Referrals received by quarter",
            "trend": [[q.short_label, shown.text, shown.number] for q, shown in report.referrals_trend],
        },
        "tables": [
            {
                "caption": f"The agreed data, {quarter.label}",
                "head": ["Indicator", quarter.short_label],
                "body": body,
                "values": values,
            }
        ],
        "review_version": review.version if review else None,
    }


def _progress(user: User, rule: SmallNumbers) -> dict[str, Any]:
    """The progress table by district (Working Together With Families (Lancashire, 2013), section 2.4), as it is
    today: its family counts suppressed with their totals; the remaining of each district's estimate as given."""
    rows = progress_by_district(for_user=user)
    table = suppress_table(
        [[r.with_plan, r.awaiting_allocation, r.information_gathering] for r in rows], rule, row_totals=False
    )
    head = [
        "District",
        "Families with a lead professional and active plan",
        "Awaiting allocation of a lead professional",
        "Information gathering",
        "Remaining of estimate",
    ]
    body, values = [], []
    for row, cells in zip(rows, table.rows, strict=True):
        remaining = "" if row.remaining is None else f"{row.remaining:,}"
        body.append([row.district, *(c.text(rule) for c in cells), remaining or "no estimate"])
        values.append([row.district, *(c.value(rule) for c in cells), row.remaining if remaining else "no estimate"])
    if table.column_totals is not None:
        known = [r.remaining for r in rows if r.remaining is not None]
        body.append(["Total", *(c.text(rule) for c in table.column_totals), f"{sum(known):,}"])
        values.append(["Total", *(c.value(rule) for c in table.column_totals), sum(known)])
    return {
        "kind": "progress",
        "title": "Progress by district",
        "tables": [
            {
                "caption": "Families by stage and district, as at the date of this pack",
                "head": head,
                "body": body,
                "values": values,
            }
        ],
    }


def _funding(user: User, quarter: Quarter) -> dict[str, Any]:
    """The funding position: each funding definition in force at the quarter's end, forecast against results paid."""
    estimate = DistrictEstimate.objects.aggregate(total=Sum("families_estimated"))["total"] or 0
    codes = [c for c in available_funding() if funding_definition(c).year_of(quarter.ends_on) is not None]
    tables = []
    for code in codes or available_funding():
        forecast, paid = claims.funding_for(for_user=user, programme=code, estimated_families=estimate)
        body, values = [], []
        for row, actual in zip(forecast.rows, paid, strict=True):
            cells = [row.attachment_pence, row.results_pence, actual.paid_results_pence,
                     row.results_pence - actual.paid_results_pence]  # fmt: skip
            body.append([row.year, f"{row.families:,}", *(format_pounds(p) for p in cells)])
            values.append([row.year, row.families, *(p / 100 for p in cells)])
        tables.append(
            {
                "caption": f"{forecast.funding.title}: {forecast.funded_families:,} funded families of an estimated "
                f"{forecast.estimated_families:,}",
                "head": [
                    "Year",
                    "Families",
                    "Attachment fee",
                    "Results payment forecast",
                    "Results paid",
                    "Still to claim",
                ],
                "body": body,
                "values": values,
                "money_columns": [2, 3, 4, 5],
            }
        )
    return {"kind": "funding", "title": "Funding position", "tables": tables}


CLAIM_STEPS = (
    ("computed", "Computed"),
    (ClaimState.VALIDATED.value, ClaimState.VALIDATED.label),
    (ClaimState.REJECTED.value, ClaimState.REJECTED.label),
    (ClaimState.PAID.value, ClaimState.PAID.label),
)


def claim_steps(user: User, quarter: Quarter) -> dict[str, dict[str, tuple[int, int]]]:
    """For each programme with claims: the claims computed in the quarter (their run started in it) and those moved
    to validated, rejected or paid in it, as (claims, pence). Unsuppressed: `_claims` suppresses them."""
    span = (quarter.starts_on, quarter.ends_on)
    in_reach = claims.claims_for(for_user=user).order_by()
    programmes = sorted(set(in_reach.values_list("programme", flat=True)))
    steps: dict[str, dict[str, tuple[int, int]]] = {}
    for programme in programmes:
        of_programme = in_reach.filter(programme=programme)
        computed = of_programme.filter(run__started_at__date__range=span).aggregate(
            n=Count("pk"), p=Sum("amount_pence")
        )
        steps[programme] = {"computed": (computed["n"] or 0, computed["p"] or 0)}
        for state in (ClaimState.VALIDATED, ClaimState.REJECTED, ClaimState.PAID):
            moved = of_programme.filter(changes__to_state=state.value, changes__changed_at__date__range=span)
            ids = set(moved.values_list("pk", flat=True))  # a claim moved twice to one state in a quarter counts once
            pence = Claim.objects.filter(pk__in=ids).aggregate(p=Sum("amount_pence"))["p"] or 0
            steps[programme][state.value] = (len(ids), pence)
    return steps


def _claims(user: User, quarter: Quarter, rule: SmallNumbers) -> dict[str, Any]:
    """The quarter's results claims by step, for each programme: a count of fewer than the threshold is hidden and so
    is its amount (the money of one or two families' claims is their record)."""
    tables = []
    for programme, steps in claim_steps(user, quarter).items():
        body, values = [], []
        for code, label in CLAIM_STEPS:
            count, pence = steps[code]
            cell = rule.cell(count)
            amount_hidden = cell.is_hidden
            body.append([label, cell.text(rule), rule.secondary_shown_as if amount_hidden else format_pounds(pence)])
            values.append([label, cell.value(rule), rule.secondary_shown_as if amount_hidden else pence / 100])
        title = results_rules(programme).title if programme in available_results() else programme
        tables.append(
            {
                "caption": f"{title}: claims computed and moved on in {quarter.label}",
                "head": ["Step", "Claims", "Amount"],
                "body": body,
                "values": values,
                "money_columns": [2],
            }
        )
    return {"kind": "claims", "title": "Results claims", "tables": tables}


def _pounds(value: float) -> str:
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _impact(rule: SmallNumbers) -> dict[str, Any]:
    """The latest impact estimates against matched comparison families (ADR 0023), with their 95% intervals and what
    they assume, and the latest savings run's cost-benefit summary and savings by agency (ADR 0024), as stored."""
    paragraphs: list[str] = []
    warnings: list[str] = []
    tables: list[dict[str, Any]] = []
    run = impact.latest_run()
    if run is None:
        paragraphs.append("No impact analysis against comparison families has been run yet.")
    else:
        paragraphs.append(
            f"Impact analysis of {run.started_at:%-d %B %Y}: {run.worked_with:,} worked-with families, "
            f"{run.matched:,} of them matched to {run.comparison_used:,} comparison families that met the criteria "
            f"and were not worked with ({run.unmatched:,} without a close enough match, left out). Figures are the "
            "share of terms with each outcome; a negative difference is fewer."
        )
        head = ["Outcome", "Worked with, before", "Worked with, after", "Comparison, before", "Comparison, after",
                "Difference in differences", "95% interval, from", "95% interval, to", "Pre-period check"]  # fmt: skip
        body, values = [], []
        for e in run.effects.all():
            numbers = [e.treated_before, e.treated_after, e.comparison_before, e.comparison_after, e.estimate,
                       e.low, e.high, e.pre_trend]  # fmt: skip
            body.append([e.label, *(f"{n:.2f}" for n in numbers[:4]), *(f"{n:+.3f}" for n in numbers[4:])])
            values.append([e.label, *numbers])
        tables.append({"caption": "Effect on the worked-with families", "head": head, "body": body, "values": values})
        paragraphs += ["What the estimate assumes: " + " ".join(impact.ASSUMPTIONS)]
    savings = impact.latest_savings()
    if savings is None:
        paragraphs.append("No cost savings have been computed yet.")
    elif rule.is_small(savings.families):
        paragraphs.append(f"Cost savings: {rule.shown_as} families costed, so the figures are not shown.")
    else:
        if savings.unverified:
            warnings.append(
                "Warning: some unit costs are unverified ("
                + "; ".join(savings.unverified_labels)
                + "). The savings below "
                "show the method, not money to report; replace the unit cost definition with the council's own."
            )
        paragraphs.append(impact.SAVINGS_CAVEAT)
        benefit = cost_benefit(savings)
        summary: list[Any] = [savings.families, savings.total_before, savings.total_after, benefit.fiscal,
                              benefit.economic, benefit.social, benefit.optimism_bias, benefit.benefits,
                              benefit.programme_cost, benefit.net_benefit,
                              "not given" if benefit.ratio is None else benefit.ratio,
                              "not given" if benefit.fiscal_ratio is None else benefit.fiscal_ratio]  # fmt: skip
        rows = [row for row in summary_rows(savings) if row[0] != "Prices"]
        tables.append(
            {
                "caption": f"Savings and cost-benefit, savings run of {savings.started_at:%-d %B %Y}, "
                f"{savings.price_base_year} prices ({savings.unit_costs})",
                "head": ["Measure", "Figure"],
                "body": [list(row) for row in rows],
                "values": [[label, number] for (label, _), number in zip(rows, summary, strict=True)],
                "money_columns": [],
            }
        )
        tables.append(
            {
                "caption": "Cost of services before and after, by agency",
                "head": ["Agency", "12 months before", "12 months after", "Saving"],
                "body": [
                    [r["agency"], *(_pounds(r[k]) for k in ("cost_before", "cost_after", "saving"))]
                    for r in savings.by_agency
                ],
                "values": [[r["agency"], r["cost_before"], r["cost_after"], r["saving"]] for r in savings.by_agency],
                "money_columns": [1, 2, 3],
            }
        )
        if savings.potential:
            body, values = [], []
            for risk in savings.potential:
                cell = rule.cell(risk["families_at_risk"])
                hidden = cell.is_hidden  # the money of one or two families at risk is their record
                saving = rule.secondary_shown_as if hidden else _pounds(risk["saving"])
                body.append([risk["label"], cell.text(rule), f"{risk['events_averted']:.1f}", saving,
                             risk["assumption"]])  # fmt: skip
                values.append([risk["label"], cell.value(rule), risk["events_averted"],
                               rule.secondary_shown_as if hidden else risk["saving"], risk["assumption"]])  # fmt: skip
            tables.append(
                {
                    "caption": "Potential savings, care and custody averted, by the stated method "
                    f"({savings.potential_method}): not part of the cost-benefit above",
                    "head": ["Averted", "Families at risk", "Events averted", "Potential saving", "Assumption"],
                    "body": body,
                    "values": values,
                    "money_columns": [3],
                }
            )
    return {
        "kind": "impact",
        "title": "Impact and savings",
        "warnings": warnings,
        "paragraphs": paragraphs,
        "tables": tables,
    }


def _indirect(found: IndirectImpact, rule: SmallNumbers) -> dict[str, Any]:
    """The indirect impact indicators of the programme's families against the county (Commissioning for Families
    with Complex Needs, Appendix C section 13.1), from the linked data, suppressed."""
    paragraphs = [
        f"From the linked agency data: of the members of the {rule.count_text(found.families)} families open in the "
        "quarter with a linked household, and of every resident of the county, the share who had each indicator at "
        f"least once from {found.window_text}. A percentage is not shown where its count is hidden."
    ]
    if found.table is None:
        paragraphs.append(found.missing)
    paragraphs += [f"{topic}: {choice} {reason}" for topic, choice, reason in found.choices]
    return {
        "kind": "indirect",
        "title": "Indirect impact indicators",
        "paragraphs": paragraphs,
        "tables": [_table(found.table)] if found.table is not None else [],
    }


def notes(rule: SmallNumbers) -> list[str]:
    definition = monitoring_definition()
    return [
        f'Small numbers. A count of 1 to {rule.threshold - 1} is shown as "{rule.shown_as}"; where a table shows '
        f'a total, another cell of the same row or column is shown as "{rule.secondary_shown_as}" so that the small '
        f"count cannot be worked out. A percentage or average over fewer than {rule.threshold} families is not shown. "
        f"(Small-numbers rule version {rule.version}.)",
        "Quarters are quarters of the financial year: quarter 1 is April to June.",
        "Families on the programme are those whose case was open on any day of the quarter. Tier of need is read from "
        "the key worker's baseline distance-travelled scores; age group is the youngest child's age when the family "
        "started; the key worker's background is their job title.",
        "Distance travelled is the baseline score minus the latest review's (1 none to 5 critical), averaged over the "
        "items scored at both; a positive number is less need.",
        "Plan results are for families finishing in the quarter: dropped out if the case closed as disengaged, else "
        "wholly achieved if every goal was achieved, partially if some were, not achieved if none.",
        "Not recorded by the service, so not in this pack: "
        + "; ".join(item.indicator.lower() for item in definition.not_recorded)
        + "; feedback from families and partners.",
        "Results claims: computed are the claims of the computations run in the quarter; validated, rejected and "
        "paid are the claims moved to that state in the quarter, whenever computed, each counted once. The amount of "
        f"a step with fewer than {rule.threshold} claims is not shown.",
        "Impact and savings are the latest stored impact analysis and savings run, whenever they were run, not "
        "recomputed for the quarter. The savings are not suppressed by family (they are sums of money over "
        f"agencies); a run costing fewer than {rule.threshold} families is not shown.",
        "The progress table and funding position are as they stood when the pack was built, not at the quarter's end.",
        "The quarterly service review is the narrative the service wrote for the quarter, the version current when the "
        "pack was built (its number is given); a later change is a new version and does not change this pack.",
        "Indirect impact indicators are read from the linked agency data of the current linkage run when the pack was "
        "built: people, not events, over the 12 months to the quarter's end.",
        "Sources: " + "; ".join(SOURCES) + ".",
    ]


def build_figures(
    *, user: User, quarter: Quarter, council: str, progress: ProgressReporter | None = None
) -> dict[str, Any]:
    """Every figure of the quarter's pack, suppressed, as JSON."""
    progress = progress or NullProgress()
    rule = small_numbers()
    progress.start(6, "Reading the families' records")
    families = family_records(for_user=user)
    referrals = referral_records(for_user=user)
    progress.advance(1)
    sections: list[dict[str, Any]] = []
    for element in ("pathway", "key_worker"):
        progress.set_message(f"Computing the {element.replace('_', ' ')} report card")
        sections.append(_card(selectors.build_card(families, element=element, quarter=quarter, chosen={},
                                                   trend=PACK_TREND)))  # fmt: skip
        progress.advance(1)
    progress.set_message("Computing the service monitoring")
    monitoring = selectors.build_monitoring(families, referrals, quarter=quarter)
    sections.append(_monitoring(monitoring))
    sections.append(_review(quarter, monitoring))
    progress.advance(1)
    sections.append(_progress(user, rule))
    progress.advance(1)
    sections.append(_claims(user, quarter, rule))
    sections.append(_funding(user, quarter))
    progress.set_message("Reading the indirect impact indicators from the linked data")
    sections.append(_indirect(indirect_impact(families, quarter), rule))
    sections.append(_impact(rule))
    progress.advance(1)
    return {
        "council": council,
        "title": "Whole-family programme: quarterly report",
        "quarter": {"code": quarter.code, "label": quarter.label},
        "small_numbers": f"{rule.shown_as} (version {rule.version})",
        "sections": sections,
        "notes": notes(rule),
    }


def section_titles(figures: dict[str, Any]) -> Sequence[str]:
    return [section["title"] for section in figures["sections"]] + ["Notes on method"]
