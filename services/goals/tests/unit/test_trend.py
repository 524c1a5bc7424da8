"""Trend weight (Hacker's Diet): T_n = T_{n-1} + 0.1 (W_n - T_{n-1}), seeded with W_1."""

from __future__ import annotations

from datetime import date

import pytest

from goals.domain.trend import WeighIn, trend_on, trend_series


def test_seeded_with_the_first_weigh_in_then_smoothed_by_a_tenth() -> None:
    points = trend_series(
        [
            WeighIn(date(2026, 1, 1), 80.0),
            WeighIn(date(2026, 1, 2), 81.0),
            WeighIn(date(2026, 1, 3), 79.0),
        ]
    )
    # 80 → 80 + 0.1·(81 − 80) = 80.1 → 80.1 + 0.1·(79 − 80.1) = 79.99
    assert [p.trend_kg for p in points] == pytest.approx([80.0, 80.1, 79.99])


def test_order_of_input_does_not_matter() -> None:
    days = [WeighIn(date(2026, 1, d), w) for d, w in ((3, 79.0), (1, 80.0), (2, 81.0))]
    assert trend_series(days)[-1].trend_kg == pytest.approx(79.99)


def test_constant_weight_is_its_own_trend_and_a_spike_moves_it_a_tenth() -> None:
    series = [WeighIn(date(2026, 1, d), 80.0) for d in range(1, 11)]
    series.append(WeighIn(date(2026, 1, 11), 74.0))
    last = trend_series(series)[-1]
    assert last.weight_kg == 74.0
    assert last.trend_kg == pytest.approx(79.4)


def test_trend_on_a_day_is_the_last_point_on_or_before_it() -> None:
    points = trend_series([WeighIn(date(2026, 1, 5), 80.0), WeighIn(date(2026, 1, 9), 82.0)])
    assert trend_on(points, date(2026, 1, 4)) is None
    assert trend_on(points, date(2026, 1, 7)).trend_kg == 80.0  # type: ignore[union-attr]
    assert trend_on(points, date(2026, 1, 9)).trend_kg == pytest.approx(80.2)  # type: ignore[union-attr]
