"""The market position statement's PDF looked at as images: its pages rendered to pixels, A4, and the rates chart
drawn where its title is, each bar as long as its rate (no database: a statement built in memory)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pypdfium2 as pdfium

from wholefamily.commissioning.market import CHART_TITLE, statement_pdf
from wholefamily.commissioning.models import MarketPositionStatement

A4_POINTS = (595.28, 841.89)
BLUE = (0x1D, 0x70, 0xB8)
SCALE = 2  # 144 dots per inch: bars a few pixels thick


def _statement() -> MarketPositionStatement:
    rates = [["Northmoor", 8.0], ["Southvale", 4.0], ["Eastfield", None]]  # Eastfield's rate hidden
    return MarketPositionStatement(
        version=3, title="Families with complex needs: our market", dated_on=dt.date(2026, 12, 7),
        summary="Fewer families should need statutory services.", intentions="Grow the work programme.",
        to_providers="", figures={
            "small_numbers": "counts from 1 to 4 are shown as fewer than 5",
            "need": {"head": ["District", "Identified families"], "body": [["Northmoor", "74"], ["Southvale", "16"]]},
            "rates": {"head": ["Area", "Families per 1,000 residents"],
                      "body": [[area, "fewer than 5" if rate is None else str(rate)] for area, rate in rates]},
            "rates_note": "The programme's definition has no estimate of the number of families it expects.",
            "rates_chart": rates,
        },
    )  # fmt: skip


def test_the_pdf_renders_on_a4_with_the_rates_chart_drawn() -> None:
    document = pdfium.PdfDocument(statement_pdf(_statement(), council="Wealdshire County Council"))
    try:
        assert len(document) == 1  # a statement this short fits one page
        page = document[0]
        assert np.allclose(page.get_size(), A4_POINTS, atol=0.5)
        pixels = page.render(scale=SCALE).to_numpy()[:, :, :3]  # BGR(A) as PDFium lays it out
        assert pixels.shape[:2] == (round(A4_POINTS[1] * SCALE), round(A4_POINTS[0] * SCALE))
        text = page.get_textpage()
        found = text.search(CHART_TITLE).get_next()
        assert found is not None
        index, _count = found
        _left, bottom, _right, _top = text.get_charbox(index)
        # The chart lies below its title: three bar rows of 6 mm and the axes, about 40 mm.
        y0 = round((page.get_height() - bottom) * SCALE)
        region = pixels[y0 : y0 + round(40 / 25.4 * 72 * SCALE), :]
        blue = np.all(np.abs(region[:, :, ::-1].astype(int) - BLUE) <= 8, axis=2)
        assert blue.sum() > 500, "the chart's region holds no bars"
        widths = sorted((int(row.sum()) for row in blue if row.any()), reverse=True)
        longest, shortest = widths[0], widths[-1]
        assert abs(longest / shortest - 8.0 / 4.0) < 0.1  # Northmoor's bar twice Southvale's; Eastfield has none
        rows = np.flatnonzero(blue.any(axis=1))
        bars = 1 + int(np.count_nonzero(np.diff(rows) > 1))
        assert bars == 2
    finally:
        document.close()  # its pages and text pages with it
