"""The weekly chart renders a real PNG of the requested size, gaps (no weigh-in) included."""

from __future__ import annotations

import struct
from datetime import date, timedelta

from progress.reports import chart


def test_week_chart_is_a_png() -> None:
    days = [date(2026, 1, 5) + timedelta(days=i) for i in range(7)]
    png = chart.render_week_png(
        days=days,
        weights=[80.0, None, 79.5, None, 79.0, None, 78.8],
        trends=[80.0, None, 79.95, None, 79.86, None, 79.75],
        kcal_in=[2000.0, None, 2100.0, 1900.0, None, None, 2000.0],
        kcal_out=[0.0, 300.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        target_kcal=2000.0,
        title="Week of 2026-01-05",
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])  # IHDR
    assert (width, height) == (800, 600)
