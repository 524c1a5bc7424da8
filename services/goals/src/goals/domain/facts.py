"""What evaluation reads: a goal's definition and the user's read models, as plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final
from uuid import UUID

from goals.domain.trend import WeighIn

WEIGHT_TARGET: Final = "weight_target"
WORKOUTS_PER_WEEK: Final = "workouts_per_week"
WEEKLY_ACTIVE_MINUTES: Final = "weekly_active_minutes"
CALORIE_ADHERENCE: Final = "calorie_adherence"
GOAL_TYPES: Final = (WEIGHT_TARGET, WORKOUTS_PER_WEEK, WEEKLY_ACTIVE_MINUTES, CALORIE_ADHERENCE)
WEEKLY_TYPES: Final = frozenset({WORKOUTS_PER_WEEK, WEEKLY_ACTIVE_MINUTES})

UNITS: Final[dict[str, str]] = {
    WEIGHT_TARGET: "kg",
    WORKOUTS_PER_WEEK: "workouts",
    WEEKLY_ACTIVE_MINUTES: "minutes",
    CALORIE_ADHERENCE: "days",
}

# Default band around the nutrition target that still counts as "on target" (issue 11).
DEFAULT_TOLERANCE_PCT: Final = 10.0


@dataclass(frozen=True, slots=True)
class GoalSpec:
    id: UUID
    type: str
    target_value: float
    start_date: date
    end_date: date | None = None
    tolerance_pct: float | None = None
    # "lose"/"gain" for weight targets, fixed when the goal was set (None: not known yet).
    direction: str | None = None
    # The weight a weight target started from, when one was known as it was set.
    start_weight_kg: float | None = None


@dataclass(frozen=True, slots=True)
class Workout:
    day: date  # the workout's local day as training computed it when it was written
    duration_min: int


@dataclass(frozen=True, slots=True)
class TargetChange:
    at: datetime  # when nutrition calculated it (UTC)
    daily_calories: float


@dataclass(frozen=True, slots=True)
class Facts:
    """A user's read models. Workouts are keyed by workout id (a replayed or updated workout is
    one entry, a deleted one is absent), intake is the latest total per local day."""

    weigh_ins: tuple[WeighIn, ...] = ()
    workouts: Mapping[UUID, Workout] = field(default_factory=dict)
    intake_kcal: Mapping[date, float] = field(default_factory=dict)
    targets: tuple[TargetChange, ...] = ()
    profile_weight_kg: float | None = None
