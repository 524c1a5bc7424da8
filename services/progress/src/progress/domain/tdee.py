"""Adaptive TDEE: expenditure = mean intake - stored-energy change per day (DOMAIN.md; the
energy-balance method MacroFactor describes publicly, and Hall & Chow, Am J Clin Nutr
2011;94:66 "Estimating changes in free-living energy intake and its confidence interval").

The weight change rate is the least-squares slope of the weigh-ins over the window (its standard
error is known, unlike a difference of two noisy days); the energy per kg comes from the Forbes
partition at the user's fat mass, else the static 7,700 kcal/kg (Hall, Int J Obes 2008;32:573).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from progress.domain.hall import stored_energy_density

# Static rule: ~7,700 kcal per kg of body weight (3,500 kcal/lb; Hall 2008).
STATIC_KCAL_PER_KG = 7_700.0
# At least two weeks of weigh-ins and of logged intake before the estimate is trusted
# (DOMAIN.md; two weeks average out most day-to-day water swings, Hall & Chow 2011).
MIN_DAYS = 14
# Prior when there is too little data: Mifflin-St Jeor predicts RMR within +-10 % for ~82 % of
# non-obese adults (Frankenfield et al., J Am Diet Assoc 2005;105:775), i.e. SD ~7.5 %; the
# activity multiplier adds its own error, so the prior SD is taken as 10 % of TDEE.
PRIOR_SD_FRACTION = 0.10
# Floor of the adaptive estimate's SD (our choice, not a published figure): self-reported intake
# carries a systematic error no within-sample statistic can see, so the band never collapses.
MIN_ADAPTIVE_SD = 100.0


@dataclass(frozen=True, slots=True)
class TdeeEstimate:
    tdee: float
    sd: float
    method: str  # "adaptive" | "prior"
    weigh_ins: int
    intake_days: int
    slope_kg_per_day: float | None = None
    kcal_per_kg: float | None = None
    mean_intake: float | None = None


def prior(prior_tdee: float, *, weigh_ins: int = 0, intake_days: int = 0) -> TdeeEstimate:
    return TdeeEstimate(
        tdee=prior_tdee,
        sd=PRIOR_SD_FRACTION * prior_tdee,
        method="prior",
        weigh_ins=weigh_ins,
        intake_days=intake_days,
    )


def slope(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares slope and its standard error (needs >= 3 points with distinct x)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    a = my - b * mx
    rss = sum((y - (a + b * x)) ** 2 for x, y in points)
    se = math.sqrt(rss / (n - 2) / sxx)
    return b, se


def estimate(
    *,
    weights: Sequence[tuple[date, float]],
    intakes: Sequence[tuple[date, float]],
    prior_tdee: float,
    fat_kg: float | None,
) -> TdeeEstimate:
    """``weights`` and ``intakes`` are (day, value) over the same window, one per day."""
    n_w, n_i = len(weights), len(intakes)
    if n_w < MIN_DAYS or n_i < MIN_DAYS:
        return prior(prior_tdee, weigh_ins=n_w, intake_days=n_i)
    start = min(d for d, _ in weights)
    b, se_b = slope([((d - start).days, w) for d, w in weights])
    kcal = [k for _, k in intakes]
    mean = sum(kcal) / n_i
    sd_i = math.sqrt(sum((k - mean) ** 2 for k in kcal) / (n_i - 1))
    density = stored_energy_density(fat_kg) if fat_kg is not None else STATIC_KCAL_PER_KG
    tdee = mean - density * b
    sd = math.sqrt((sd_i / math.sqrt(n_i)) ** 2 + (density * se_b) ** 2)
    return TdeeEstimate(
        tdee=tdee,
        sd=max(sd, MIN_ADAPTIVE_SD),
        method="adaptive",
        weigh_ins=n_w,
        intake_days=n_i,
        slope_kg_per_day=b,
        kcal_per_kg=density,
        mean_intake=mean,
    )
