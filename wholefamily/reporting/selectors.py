"""Reads of the reporting: report cards and service monitoring over the families the user may count, every figure
passed through the small-numbers rule before it is shown (definitions/reporting/small-numbers.yaml), and the board
packs kept. Programme managers and commissioners read them (ADR 0021)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from wholefamily.domain.pathway import DESTINATION_LABELS
from wholefamily.domain.reporting import card as rba
from wholefamily.domain.reporting import monitoring as mon
from wholefamily.domain.reporting.columns import ColumnChart, column_chart
from wholefamily.domain.reporting.quarters import Quarter, last_complete_quarter, quarter_of, quarters_ending
from wholefamily.domain.reporting.small_numbers import SmallNumbers, SuppressedTable, suppress_series, suppress_table
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.reporting.definitions import monitoring_definition, small_numbers
from wholefamily.reporting.models import BoardPack
from wholefamily.reporting.records import family_records, referral_records

AnyUser = AbstractBaseUser | AnonymousUser
REPORT_READERS = (Role.PROGRAMME_MANAGER, Role.COMMISSIONER)
PACK_BUILDERS = (Role.PROGRAMME_MANAGER,)
TREND_QUARTERS = 6


def require_reader(user: AnyUser) -> None:
    if not access.has_role(user, *REPORT_READERS):
        raise PermissionDenied


@dataclass(frozen=True)
class Shown:
    """A figure as shown: its words, and the number a chart may draw (None when hidden or empty)."""

    text: str
    number: float | None
    is_hidden: bool = False


def present(value: rba.Value, kind: rba.Kind, rule: SmallNumbers) -> Shown:
    if kind is rba.Kind.COUNT:
        count = int(value.amount)
        return Shown(rule.count_text(count), None if rule.is_small(count) else float(count), rule.is_small(count))
    over = value.over or 0
    if over == 0:
        return Shown("no families to count", None)
    if not rule.is_enough(over):
        return Shown(f"not shown: over {rule.shown_as}", None, True)
    if kind is rba.Kind.PERCENT:
        return Shown(f"{value.amount:.0f}%", value.amount)
    if kind is rba.Kind.DAYS:
        return Shown(f"{value.amount:g} day" + ("" if value.amount == 1 else "s"), value.amount)
    return Shown(f"{value.amount:+.2f}", value.amount)


@dataclass(frozen=True)
class MeasureView:
    code: str
    label: str
    note: str
    kind: rba.Kind
    current: Shown
    trend: tuple[tuple[Quarter, Shown], ...]
    chart: ColumnChart

    @property
    def unit(self) -> str:
        return {rba.Kind.COUNT: "number", rba.Kind.PERCENT: "per cent", rba.Kind.MEAN: "average score change"}[
            self.kind
        ]


@dataclass(frozen=True)
class SectionView:
    question: str
    measures: tuple[MeasureView, ...]

    @property
    def slug(self) -> str:
        return self.question.lower().replace("?", "").replace(" ", "-")


@dataclass(frozen=True)
class LabelledTable:
    """A table of counts with row labels and column heads, suppressed, ready for a page, the PDF or the workbook."""

    caption: str
    row_head: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    table: SuppressedTable


@dataclass(frozen=True)
class ReportCard:
    element: str
    title: str
    quarter: Quarter
    quarters: tuple[Quarter, ...]
    sections: tuple[SectionView, ...]
    plan_results: LabelledTable
    time_with_families: LabelledTable | None
    chosen: dict[str, str]
    choices: dict[str, list[str]]
    families: Shown
    rule: SmallNumbers


def chart_text(shown: Shown) -> str:
    """A figure's words above its column: short enough for the column's width (the table beside has them in full)."""
    if shown.number is not None or shown.text == small_numbers().shown_as:
        return shown.text
    return "not shown" if shown.is_hidden else "none"


def measure_view(
    definition: rba.MeasureDefinition,
    records: Sequence[rba.FamilyRecord],
    quarters: Sequence[Quarter],
    rule: SmallNumbers,
) -> MeasureView:
    trend = tuple((q, present(definition.compute(records, q), definition.kind, rule)) for q in quarters)
    chart = column_chart([(q.short_label, shown.number, chart_text(shown)) for q, shown in trend])
    return MeasureView(definition.code, definition.label, definition.note, definition.kind, trend[-1][1], trend, chart)


def plan_results_table(records: Sequence[rba.FamilyRecord], quarter: Quarter, dimension: str) -> LabelledTable:
    label = dict(rba.FILTER_FIELDS)[dimension]
    groups, counts = rba.breakdown(records, quarter, dimension)
    return LabelledTable(
        caption=f"Families finishing in {quarter.label} by plan result and {label.lower()}",
        row_head=label,
        rows=tuple(groups),
        columns=tuple(result.label for result in rba.PlanResult),
        table=suppress_table(counts, small_numbers()),
    )


def time_with_families_table(records: Sequence[rba.FamilyRecord], quarter: Quarter) -> LabelledTable:
    bands, counts = rba.time_with_families(records, quarter)
    cells, total = suppress_series(counts, small_numbers())
    return LabelledTable(
        caption=f"Families finishing in {quarter.label} by time with a key worker",
        row_head="Time with a key worker",
        rows=("Families",),
        columns=tuple(bands),
        table=SuppressedTable((cells,), (total,) if total else None, None, None),
    )


def default_quarter() -> Quarter:
    return last_complete_quarter(timezone.localdate())


def quarter_choices(records: Sequence[rba.FamilyRecord]) -> list[Quarter]:
    """Every quarter from the first family's start to the last finished quarter, newest first."""
    last = default_quarter()
    first = quarter_of(min((r.opened_on for r in records), default=last.starts_on))
    quarters = [last]
    while quarters[-1] > first:
        quarters.append(quarters[-1].previous())
    return quarters


def build_card(
    records: Sequence[rba.FamilyRecord], *, element: str, quarter: Quarter, chosen: dict[str, str], trend: int
) -> ReportCard:
    title, sections = rba.ELEMENTS[element]
    rule = small_numbers()
    chosen_records = rba.filter_records(records, chosen)
    quarters = quarters_ending(quarter, trend)
    views = tuple(
        SectionView(section.question, tuple(measure_view(m, chosen_records, quarters, rule) for m in section.measures))
        for section in sections
    )
    counted = [r for r in chosen_records if r.is_open_during(quarter)]
    if element == "key_worker":
        counted = [r for r in counted if r.had_key_worker_during(quarter)]
    return ReportCard(
        element=element,
        title=title,
        quarter=quarter,
        quarters=quarters,
        sections=views,
        plan_results=plan_results_table(
            [r for r in chosen_records if r.allocations] if element == "key_worker" else chosen_records,
            quarter,
            "key_worker_type" if element == "key_worker" else "district",
        ),
        time_with_families=time_with_families_table(chosen_records, quarter) if element == "key_worker" else None,
        chosen={name: value for name, value in chosen.items() if value},
        choices=rba.choices_for(records),
        families=Shown(rule.count_text(len(counted)), float(len(counted))),
        rule=rule,
    )


def report_card(
    *, for_user: AnyUser, element: str, quarter: Quarter | None = None, chosen: dict[str, str] | None = None
) -> ReportCard:
    """A report card for the whole pathway or its key worker element (Commissioning for Families with Complex Needs,
    Appendix E), for one quarter with the trend over the quarters before it, over the families the user may count."""
    require_reader(for_user)
    if element not in rba.ELEMENTS:
        raise ValueError(f"no report card {element!r}")
    records = family_records(for_user=for_user)
    return build_card(
        records, element=element, quarter=quarter or default_quarter(), chosen=chosen or {}, trend=TREND_QUARTERS
    )


def board_packs(*, for_user: AnyUser) -> QuerySet[BoardPack]:
    """The board packs kept, newest quarter and version first (county-wide figures, no personal record)."""
    require_reader(for_user)
    return access.scope(for_user, BoardPack.objects.select_related("built_by"), team_field=None, is_personal=False)


# --- service monitoring (Commissioning for Families with Complex Needs, Appendix C section 13.1) -----------------

MONITORING_QUARTERS = 4


@dataclass(frozen=True)
class IndicatorRow:
    question: str
    code: str
    label: str
    kind: rba.Kind
    values: tuple[Shown, ...]  # one per quarter, oldest first

    @property
    def label_with_unit(self) -> str:
        return self.label + {rba.Kind.PERCENT: " (%)", rba.Kind.DAYS: " (days)", rba.Kind.MEAN: " (average)"}.get(
            self.kind, ""
        )


@dataclass(frozen=True)
class Monitoring:
    quarter: Quarter
    quarters: tuple[Quarter, ...]
    rows: tuple[IndicatorRow, ...]
    referrals_chart: ColumnChart
    referrals_trend: tuple[tuple[Quarter, Shown], ...]
    breakdowns: tuple[LabelledTable, ...]
    not_recorded: tuple[mon.NotRecorded, ...]
    rule: SmallNumbers


def build_monitoring(
    families: Sequence[rba.FamilyRecord], referrals: Sequence[mon.ReferralRecord], *, quarter: Quarter
) -> Monitoring:
    rule, definition = small_numbers(), monitoring_definition()
    quarters = quarters_ending(quarter, MONITORING_QUARTERS)
    by_quarter = [mon.indicators(families, referrals, q) for q in quarters]
    rows = tuple(
        IndicatorRow(first.question, first.code, first.label, first.kind,
                     tuple(present(found[i].value, found[i].kind, rule) for found in by_quarter))
        for i, first in enumerate(by_quarter[0])
    )  # fmt: skip
    referrals_row = next(row for row in rows if row.code == "referrals")
    trend = tuple(zip(quarters, referrals_row.values, strict=True))
    labels = {code.value: label for code, label in DESTINATION_LABELS.items()}
    tables = tuple(
        LabelledTable(
            caption=b.caption,
            row_head=b.row_head,
            rows=b.rows,
            columns=b.columns,
            table=suppress_table(
                [list(r) for r in b.counts],
                rule,
                row_totals=b.has_totals and len(b.columns) > 1,
                column_totals=b.has_totals,
            ),
        )
        for b in mon.breakdowns(families, referrals, quarter, definition, labels)
    )
    return Monitoring(
        quarter=quarter,
        quarters=quarters,
        rows=rows,
        referrals_chart=column_chart([(q.short_label, shown.number, chart_text(shown)) for q, shown in trend]),
        referrals_trend=trend,
        breakdowns=tables,
        not_recorded=definition.not_recorded,
        rule=rule,
    )


def monitoring(*, for_user: AnyUser, quarter: Quarter | None = None) -> Monitoring:
    """The service's monitoring indicators for a quarter and the three before it, from its own records."""
    require_reader(for_user)
    return build_monitoring(
        family_records(for_user=for_user), referral_records(for_user=for_user), quarter=quarter or default_quarter()
    )
