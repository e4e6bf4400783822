"""The options a linkage analyst expects on `wholefamily dedupe` and `wholefamily link` (ADR 0016): model, match
threshold, column mapping and memory limit, checked into plain values with plain error messages."""

from __future__ import annotations

import argparse
import re

from wholefamily.linkage.engine.adapt import MODEL_CHOICES
from wholefamily.linkage.engine.prepare import LAYOUT_COLUMNS

_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.IGNORECASE)


def add_analyst_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", choices=MODEL_CHOICES, default="auto",
        help="auto (default): the county model where the data has addresses and household evidence, the general "
        "person model otherwise; county or person forces one.",
    )  # fmt: skip
    parser.add_argument(
        "--threshold", default=None,
        help="Match probability at or above which two records are one person (default: the model's, 0.99 for the "
        "county model and 0.9 for the person model).",
    )  # fmt: skip
    parser.add_argument(
        "--column", action="append", default=[], metavar="LAYOUT=YOURS",
        help="Read a persons-layout column from a column of another name, for example --column surname=family_name "
        "(repeat for several).",
    )  # fmt: skip
    parser.add_argument(
        "--memory", default="", help="Memory limit for the linkage database, for example 4GB (default 2GB)."
    )


def column_map(values: list[str]) -> tuple[tuple[str, str], ...]:
    """`["surname=family_name", ...]` as ((layout column, file column), ...), checked."""
    pairs: dict[str, str] = {}
    for value in values:
        layout, separator, theirs = value.partition("=")
        layout, theirs = layout.strip(), theirs.strip()
        if not separator or not layout or not theirs:
            raise ValueError(f"--column {value!r}: write it as LAYOUT=YOURS, for example surname=family_name")
        if layout not in LAYOUT_COLUMNS:
            raise ValueError(
                f"--column {value!r}: {layout} is not a persons-layout column ({', '.join(LAYOUT_COLUMNS)})"
            )
        if layout in pairs:
            raise ValueError(f"--column {value!r}: {layout} is mapped twice")
        pairs[layout] = theirs
    return tuple(sorted(pairs.items()))


def threshold(value: str | None) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value))
    except ValueError:
        raise ValueError(f"--threshold {value!r}: give a probability between 0 and 1, for example 0.95") from None
    if not 0 < number < 1:
        raise ValueError(f"--threshold {value!r}: give a probability between 0 and 1, for example 0.95")
    return number


def memory_limit(value: str) -> str:
    """A DuckDB memory limit such as '4GB' (checked: it is put into SQL)."""
    match = _MEMORY.match(value)
    if match is None:
        raise ValueError(f"--memory {value!r}: give an amount such as 2GB or 512MB")
    return f"{match.group(1)}{match.group(2).upper()}"
