"""Trend weight (Hacker's Diet, J. Walker 1991, "The Hacker's Diet", ch. "Signal and Noise"):
an exponentially smoothed moving average T_n = T_(n-1) + 0.1 (W_n - T_(n-1)), seeded with the
first weigh-in. Applied per weigh-in: a day without an entry neither moves nor decays the trend."""

from __future__ import annotations

from collections.abc import Iterable

# Walker's smoothing factor: 10 % of the day's deviation from the trend.
SMOOTHING = 0.1


def step(previous: float | None, weight: float) -> float:
    if previous is None:
        return weight
    return previous + SMOOTHING * (weight - previous)


def series(weights: Iterable[float], seed: float | None = None) -> list[float]:
    """Trend values for weights in date order, continuing from ``seed`` (the trend before)."""
    out: list[float] = []
    trend = seed
    for w in weights:
        trend = step(trend, w)
        out.append(trend)
    return out
