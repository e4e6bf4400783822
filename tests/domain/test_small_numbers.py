"""Small numbers (definitions/reporting/small-numbers.yaml): primary and secondary suppression at the edges."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wholefamily.domain.reporting.small_numbers import (
    Hidden,
    SmallNumbers,
    SmallNumbersError,
    load_small_numbers,
    parse_small_numbers,
    suppress_series,
    suppress_table,
)

ROOT = Path(__file__).resolve().parents[2]
RULE = SmallNumbers(5, "fewer than 5", "not shown", 1, None, ("test",))


def test_the_shipped_definition_hides_fewer_than_five_and_says_so() -> None:
    rule = load_small_numbers(ROOT / "definitions" / "reporting" / "small-numbers.yaml")
    assert rule.threshold == 5
    assert rule.shown_as == "fewer than 5"
    assert rule.source


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (1234, "1,234")]
)
def test_the_threshold_at_its_edges(count: int, text: str) -> None:
    assert RULE.count_text(count) == text


def test_a_council_may_raise_the_threshold() -> None:
    rule = parse_small_numbers({"threshold": 10, "source": ["local rule"]})
    assert rule.shown_as == "fewer than 10"
    assert rule.count_text(9) == "fewer than 10"
    assert rule.count_text(10) == "10"


@pytest.mark.parametrize(
    "raw", [{"threshold": 0, "source": ["x"]}, {"threshold": "five", "source": ["x"]}, {"threshold": 5}]
)
def test_a_broken_definition_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(SmallNumbersError):
        parse_small_numbers(raw)


def test_rates_and_means_need_enough_families() -> None:
    assert RULE.rate(2, 4) is None
    assert RULE.rate(2, 5) == pytest.approx(0.4)
    assert RULE.mean([1.0, 2.0, 3.0, 4.0]) is None
    assert RULE.mean([1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx(3.0)


def test_a_small_count_beside_a_total_takes_the_next_smallest_with_it() -> None:
    cells, total = suppress_series([12, 3, 20], RULE)
    assert [c.hidden for c in cells] == [Hidden.SECONDARY, Hidden.SMALL, Hidden.SHOWN]
    assert total is not None and total.text(RULE) == "35"
    assert [c.text(RULE) for c in cells] == ["not shown", "fewer than 5", "20"]


def test_without_a_total_only_the_small_count_is_hidden() -> None:
    cells, total = suppress_series([12, 3, 20], RULE, total=False)
    assert total is None
    assert [c.hidden for c in cells] == [Hidden.SHOWN, Hidden.SMALL, Hidden.SHOWN]


def test_zeros_are_shown_and_chosen_last() -> None:
    cells, _ = suppress_series([0, 3, 40, 9], RULE)
    assert [c.text(RULE) for c in cells] == ["0", "fewer than 5", "40", "not shown"]


def test_a_small_total_is_hidden_with_its_cells() -> None:
    cells, total = suppress_series([3, 0, 0], RULE)
    assert total is not None and total.hidden is Hidden.SMALL
    assert [c.hidden for c in cells] == [Hidden.SMALL, Hidden.SHOWN, Hidden.SHOWN]


def test_a_lone_cell_equal_to_its_total_hides_the_total() -> None:
    cells, total = suppress_series([2], RULE)
    assert cells[0].hidden is Hidden.SMALL and total is not None and total.hidden is Hidden.SMALL
    cells, total = suppress_series([0, 0, 0], RULE)
    assert not any(c.is_hidden for c in cells) and total is not None and total.text(RULE) == "0"


def test_a_table_with_both_totals_never_leaves_a_lone_hidden_cell() -> None:
    table = suppress_table([[10, 2], [10, 10]], RULE)
    hidden = [[c.is_hidden for c in row] for row in table.rows]
    assert hidden[0][1]  # the 2
    assert sum(map(sum, hidden)) == 4  # the 2 and partners in its row, its column and the fourth corner
    _assert_protected(table)


def test_an_empty_table() -> None:
    table = suppress_table([], RULE)
    assert table.rows == () and table.grand_total is None


def test_ragged_and_negative_tables_are_refused() -> None:
    with pytest.raises(ValueError):
        suppress_table([[1, 2], [3]], RULE)
    with pytest.raises(ValueError):
        suppress_table([[-1]], RULE)


def _assert_protected(table: object) -> None:
    """Every small count hidden; no shown cell small; no line with a shown total has exactly one hidden cell."""
    from wholefamily.domain.reporting.small_numbers import SuppressedTable

    assert isinstance(table, SuppressedTable)
    grid = [list(row) for row in table.rows]
    if table.row_totals is not None:
        for row, total in zip(grid, table.row_totals, strict=True):
            row.append(total)
    if table.column_totals is not None:
        grid.append(list(table.column_totals) + ([table.grand_total] if table.grand_total is not None else []))
    for row in grid:
        for cell in row:
            assert RULE.is_small(cell.count) == (cell.hidden is Hidden.SMALL)
    lines = []
    if table.row_totals is not None:
        lines += grid
    if table.column_totals is not None and grid:
        lines += [[row[j] for row in grid] for j in range(len(grid[0]))]
    for line in lines:
        assert sum(1 for cell in line if cell.is_hidden) != 1, line


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(min_value=0, max_value=30), min_size=width, max_size=width), min_size=1, max_size=6
        )
    ),
    st.booleans(),
    st.booleans(),
)
def test_no_hidden_count_can_be_worked_out_from_a_total(
    counts: list[list[int]], row_totals: bool, column_totals: bool
) -> None:
    _assert_protected(suppress_table(counts, RULE, row_totals=row_totals, column_totals=column_totals))
