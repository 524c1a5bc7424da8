"""Trend weight: the smoothed series goals judge weight targets on (not the last noisy weigh-in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# Hacker's Diet (John Walker, "The Hacker's Diet", 1991, ch. "Signal and Noise"): an exponentially
# smoothed moving average T_n = T_{n-1} + 0.1 (W_n - T_{n-1}), seeded with the first weigh-in
# (DOMAIN.md "Weight over time"). Applied per weigh-in: days without one are skipped.
SMOOTHING = 0.1


@dataclass(frozen=True, slots=True)
class WeighIn:
    day: date
    weight_kg: float


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: date
    weight_kg: float
    trend_kg: float


def trend_series(weigh_ins: Sequence[WeighIn]) -> list[TrendPoint]:
    """The trend after each weigh-in, in day order (input order does not matter)."""
    points: list[TrendPoint] = []
    trend: float | None = None
    for entry in sorted(weigh_ins, key=lambda w: w.day):
        trend = entry.weight_kg if trend is None else trend + SMOOTHING * (entry.weight_kg - trend)
        points.append(TrendPoint(entry.day, entry.weight_kg, trend))
    return points


def trend_on(points: Sequence[TrendPoint], day: date) -> TrendPoint | None:
    """The last point on or before ``day`` (None when the series starts later)."""
    found: TrendPoint | None = None
    for point in points:
        if point.day > day:
            break
        found = point
    return found
