"""Energy cost of a workout from Compendium METs (DOMAIN.md "Calories burned").

kcal = MET × weight_kg × hours, with 1 MET taken as 1 kcal/kg/h — the convention of the
Compendium of Physical Activities (Ainsworth et al., Med Sci Sports Exerc 2011;43:1575). The
variant MET × 3.5 × W / 200 per minute (1 MET = 3.5 ml O2/kg/min) gives 5 % more; we pin the
1 kcal/kg/h one so estimates match the Compendium's published examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

# Ainsworth et al. 2011: 1 MET ≡ 1 kcal per kg body weight per hour.
KCAL_PER_MET_KG_HOUR = 1.0
# No measurement and no profile weight: the 70 kg reference adult the Compendium's own
# worked examples use (Ainsworth 2011, "70 kg person"; ICRP Publication 23 reference man).
DEFAULT_WEIGHT_KG = 70.0

WeightSource = Literal["measurement", "profile", "default"]


@dataclass(frozen=True, slots=True)
class Activity:
    """One exercise of a workout: its MET and its own duration, if the user gave one."""

    exercise_id: int
    name: str
    met: float
    duration_min: float | None


@dataclass(frozen=True, slots=True)
class ActivityEstimate:
    exercise_id: int
    name: str
    met: float
    minutes: float
    kcal: float


@dataclass(frozen=True, slots=True)
class BodyWeight:
    kg: float
    source: WeightSource
    measured_on: date | None = None


@dataclass(frozen=True, slots=True)
class Estimate:
    weight: BodyWeight
    activities: tuple[ActivityEstimate, ...]
    total_kcal: float


def kcal(met: float, weight_kg: float, minutes: float) -> float:
    """Gross energy cost of ``minutes`` at ``met`` for a body of ``weight_kg`` (unrounded)."""
    return met * KCAL_PER_MET_KG_HOUR * weight_kg * minutes / 60.0


def allot_minutes(duration_min: float, own: Sequence[float | None]) -> list[float]:
    """Minutes per exercise: given durations stay, the others share what is left equally.

    With 30 min in total and exercises of (10, None, None) the two without a duration get 10
    each. A negative remainder cannot occur for validated input (own durations ≤ total).
    """
    given = sum(m for m in own if m is not None)
    missing = sum(1 for m in own if m is None)
    share = max(duration_min - given, 0.0) / missing if missing else 0.0
    return [m if m is not None else share for m in own]


def weight_on(
    day: date,
    measurements: Sequence[tuple[date, float]],
    profile_weight_kg: float | None,
) -> BodyWeight:
    """The body weight for a workout on ``day`` (the user's local day): the latest measurement
    on or before that day, else the profile weight, else the 70 kg default."""
    best: tuple[date, float] | None = None
    for measured_on, kg in measurements:
        if measured_on <= day and (best is None or measured_on > best[0]):
            best = (measured_on, kg)
    if best is not None:
        return BodyWeight(kg=best[1], source="measurement", measured_on=best[0])
    if profile_weight_kg is not None:
        return BodyWeight(kg=profile_weight_kg, source="profile")
    return BodyWeight(kg=DEFAULT_WEIGHT_KG, source="default")


def estimate(
    *, duration_min: float, activities: Sequence[Activity], weight: BodyWeight
) -> Estimate | None:
    """Σ MET × weight × hours over the workout's exercises; None without exercises (there is
    nothing to estimate from: the workout's kind is unknown)."""
    if not activities:
        return None
    minutes = allot_minutes(duration_min, [a.duration_min for a in activities])
    parts = []
    total = 0.0
    for activity, m in zip(activities, minutes, strict=True):
        value = kcal(activity.met, weight.kg, m)
        total += value
        parts.append(
            ActivityEstimate(
                exercise_id=activity.exercise_id,
                name=activity.name,
                met=activity.met,
                minutes=round(m, 2),
                kcal=round(value, 1),
            )
        )
    return Estimate(weight=weight, activities=tuple(parts), total_kcal=round(total, 1))
