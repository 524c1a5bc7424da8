"""Weight forecast: the Hall model run at the expected intake change and at the ends of its
uncertainty interval; probability of reaching a target from the same interval.

The intake change relative to true maintenance is uncertain because maintenance (TDEE) is: with
a fixed planned intake, ``delta_EI ~ Normal(mu, sd_TDEE)``. Body weight at any day is monotone in
delta_EI, so the band's ends are the trajectories at mu -+ z sd, and P(reach target by day T) is
the normal probability that delta_EI lies on the target's side of the delta_EI* that lands exactly
on the target at T (found by interpolating between the three runs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from progress.domain import hall

# Activity level -> physical activity level. A calculator convention with no primary validation
# study behind it (DOMAIN.md "Total expenditure"); the bw package's default PAL is 1.5.
PAL_BY_ACTIVITY: dict[str, float] = {
    "sedentary": 1.2,
    "light": 1.375,
    "moderate": 1.55,
    "active": 1.725,
    "very_active": 1.9,
}
DEFAULT_PAL = 1.5

# Two-sided 80 % interval: z = 1.2816 (a forecast band users read as "likely range").
BAND_LEVEL = 0.80
BAND_Z = 1.2815515655446004


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@dataclass(frozen=True, slots=True)
class ForecastResult:
    expected: list[float]
    lower: list[float]
    upper: list[float]
    intake_change: float
    intake_sd: float
    baseline_intake: float
    target_day: int | None = None  # first day the expected curve reaches the target
    probability: float | None = None  # of reaching the target by the given day


def _reached(weight: float, start: float, target: float) -> bool:
    return weight <= target if target < start else weight >= target


def forecast(
    b: hall.Baseline,
    *,
    start_weight: float,
    intake_change: float,
    intake_sd: float,
    days: int,
    target_weight: float | None = None,
    by_day: int | None = None,
) -> ForecastResult:
    lo_ei = intake_change - BAND_Z * intake_sd
    hi_ei = intake_change + BAND_Z * intake_sd
    mid = hall.simulate(b, intake_change=intake_change, days=days).weight
    low = hall.simulate(b, intake_change=lo_ei, days=days).weight
    high = hall.simulate(b, intake_change=hi_ei, days=days).weight
    target_day = None
    probability = None
    if target_weight is not None:
        target_day = next(
            (d for d, w in enumerate(mid) if _reached(w, start_weight, target_weight)), None
        )
        if by_day is not None:
            probability = _probability(
                target_weight,
                start_weight,
                points=[(lo_ei, low[by_day]), (intake_change, mid[by_day]), (hi_ei, high[by_day])],
                mu=intake_change,
                sd=intake_sd,
            )
    return ForecastResult(
        expected=mid,
        lower=low,
        upper=high,
        intake_change=intake_change,
        intake_sd=intake_sd,
        baseline_intake=b.intake,
        target_day=target_day,
        probability=probability,
    )


def _probability(
    target: float,
    start: float,
    *,
    points: list[tuple[float, float]],
    mu: float,
    sd: float,
) -> float:
    """P(weight at the day is on the target's side), delta_EI ~ N(mu, sd)."""
    # points are (delta_EI, weight) with weight increasing in delta_EI; invert piecewise-linearly
    # (linear extrapolation outside: the model is nearly linear in delta_EI over this range).
    (x0, y0), (x1, y1), (x2, y2) = points
    if sd <= 0:
        return 1.0 if _reached(y1, start, target) else 0.0
    if target <= y1:
        xs = x0 + (target - y0) * (x1 - x0) / (y1 - y0) if y1 != y0 else x0
    else:
        xs = x1 + (target - y1) * (x2 - x1) / (y2 - y1) if y2 != y1 else x2
    below = normal_cdf((xs - mu) / sd)  # P(delta_EI <= xs) = P(weight <= target)
    p = below if target < start else 1 - below
    return min(max(p, 0.0), 1.0)
