"""Indirect impact indicators of the programme's families against the county (Commissioning for Families with
Complex Needs, Appendix C section 13.1), for the monitoring page and the board pack: counted over the linked data by
`impact.engine.indirect`, shown through the small-numbers rule. Definition: definitions/reporting/indirect-impact.yaml.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.reporting.card import FamilyRecord
from wholefamily.domain.reporting.quarters import Quarter
from wholefamily.domain.reporting.small_numbers import SmallNumbers
from wholefamily.impact.engine.indirect import IndicatorCount, indirect_counts, load_indicators, window_start
from wholefamily.reporting.definitions import small_numbers
from wholefamily.reporting.tables import TableView

CACHE_SECONDS = 600
HEAD = ("Indicator (among whom)", "Programme's families: people", "Programme's families: %", "County: people",
        "County: %")  # fmt: skip


@dataclass(frozen=True)
class IndirectImpact:
    window: tuple[dt.date, dt.date] | None
    families: int
    table: TableView | None
    choices: tuple[tuple[str, str, str], ...]
    source: tuple[str, ...]
    missing: str = ""  # why there are no figures, in words

    @property
    def window_text(self) -> str:
        if self.window is None:
            return ""
        return f"{self.window[0]:%-d %B %Y} to {self.window[1]:%-d %B %Y}"


def definition_path() -> Path:
    return Path(settings.DEFINITIONS_DIR) / "reporting" / "indirect-impact.yaml"


def _percent(count: int, group: int, rule: SmallNumbers) -> tuple[str, float | str]:
    share = rule.rate(count, group)
    if share is None or rule.is_small(count):
        return rule.secondary_shown_as, rule.secondary_shown_as
    return f"{share * 100:.1f}", round(share * 100, 1)


def _view(counts: Sequence[IndicatorCount], rule: SmallNumbers, caption: str) -> TableView:
    body, values = [], []
    for count in counts:
        label = f"{count.label} ({count.among})"
        cells: list[tuple[str, int | float | str]] = []
        for number, group in ((count.programme_count, count.programme_group), (count.county_count, count.county_group)):
            shown = rule.cell(number)
            cells += [(shown.text(rule), shown.value(rule)), _percent(number, group, rule)]
        body.append((label, *(text for text, _ in cells)))
        values.append((label, *(value for _, value in cells)))
    return TableView(caption, HEAD, tuple(body), tuple(values))  # type: ignore[arg-type]


def indirect_impact(families: Sequence[FamilyRecord], quarter: Quarter) -> IndirectImpact:
    """The indicators over the 12 months to the quarter's end for the households of the families open in the
    quarter, against the county; kept for ten minutes per quarter, snapshot and families."""
    from wholefamily.identification.engine.snapshot import Snapshot, SnapshotError
    from wholefamily.outcomes.measuring import OutcomesRunError, current_snapshot_dir

    contracts = load_contract_set(Path(settings.DEFINITIONS_DIR))
    indicators = load_indicators(definition_path(), contracts)
    rule = small_numbers()
    households = sorted({f.household_id for f in families if f.household_id and f.is_open_during(quarter)})
    end = quarter.ends_on
    window = (window_start(end, indicators.window_months), end)

    def empty(missing: str) -> IndirectImpact:
        return IndirectImpact(window, len(households), None, indicators.choices, indicators.source, missing)

    try:
        directory = current_snapshot_dir()
    except OutcomesRunError:
        return empty("No records have been linked yet, so there is no linked data to read these indicators from.")
    if not households:
        return empty("No family open in the quarter has a linked household.")
    key = (
        "indirect-impact:"
        + hashlib.sha256(
            f"{quarter.code}|{directory}|{definition_path().stat().st_mtime}|{','.join(households)}".encode()
        ).hexdigest()
    )
    counts = cache.get(key)
    if counts is None:
        try:
            snapshot = Snapshot.open(directory, datasets_root=Path(settings.DATA_DIR) / "datasets")
            counts = indirect_counts(snapshot, households, window_end=end, indicators=indicators, contracts=contracts)
        except (SnapshotError, OSError) as error:
            return empty(f"The linked data could not be read ({error}).")
        cache.set(key, counts, CACHE_SECONDS)
    caption = f"People with each indicator, {window[0]:%-d %B %Y} to {window[1]:%-d %B %Y}"
    return IndirectImpact(window, len(households), _view(counts, rule, caption), indicators.choices, indicators.source)
