"""Wire models of workouts (camelCase; writes reject unknown fields)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator, model_validator

from fitness_platform.schemas import CamelInput, CamelModel
from training.validation import (
    DistanceKm,
    ExerciseId,
    Kcal,
    LoadKg,
    Minutes,
    Notes,
    Reps,
    Sets,
    ShortNotes,
    Title,
)

# A workout may be logged up to a day ahead (time zones, a planned session) and back ten years.
MAX_FUTURE = timedelta(days=1)
MAX_PAST = timedelta(days=3650)
MAX_EXERCISES = 50

CaloriesSource = Literal["user", "estimated"]
WeightSource = Literal["measurement", "profile", "default"]


class WorkoutExerciseIn(CamelInput):
    exercise_id: ExerciseId = Field(description="id from GET /exercises")
    duration_min: Minutes | None = Field(
        default=None,
        description="minutes spent on it; exercises without one share the rest of the "
        "workout's durationMin equally",
    )
    sets: Sets | None = None
    reps: Reps | None = Field(default=None, description="reps per set")
    weight_kg: LoadKg | None = Field(default=None, description="load lifted (not body weight)")
    distance_km: DistanceKm | None = None
    notes: ShortNotes | None = None


class WorkoutIn(CamelInput):
    """Body of POST /workouts and PUT /workouts/{id} (PUT replaces the whole workout)."""

    title: Title
    started_at: AwareDatetime = Field(
        description="ISO-8601 with a UTC offset; at most 1 day in the future, 10 years back"
    )
    duration_min: Minutes
    exercises: list[WorkoutExerciseIn] = Field(default_factory=list, max_length=MAX_EXERCISES)
    calories_burned: Kcal | None = Field(
        default=None,
        description="kcal as measured by the user (e.g. a watch); omitted = estimated from "
        "the exercises' METs and the user's weight on the workout's day",
    )
    notes: Notes | None = None

    @field_validator("started_at")
    @classmethod
    def _plausible_start(cls, value: datetime) -> datetime:
        now = datetime.now(UTC)
        if value > now + MAX_FUTURE:
            raise ValueError("must not be more than 1 day in the future")
        if value < now - MAX_PAST:
            raise ValueError("must not be more than 10 years in the past")
        return value

    @model_validator(mode="after")
    def _durations_fit(self) -> WorkoutIn:
        given = sum(e.duration_min or 0 for e in self.exercises)
        if given > self.duration_min:
            raise ValueError("the exercises' durationMin add up to more than the workout's")
        return self


class StartTemplateIn(CamelInput):
    """Optional body of POST /workouts/template/{id}/start."""

    started_at: AwareDatetime | None = Field(default=None, description="default: now")
    title: Title | None = Field(default=None, description="default: the template's name")

    @field_validator("started_at")
    @classmethod
    def _plausible_start(cls, value: datetime | None) -> datetime | None:
        return None if value is None else WorkoutIn._plausible_start(value)


class WorkoutExerciseOut(CamelModel):
    exercise_id: int
    name: str
    category: str
    met: float
    duration_min: int | None = None
    sets: int | None = None
    reps: int | None = None
    weight_kg: float | None = None
    distance_km: float | None = None
    notes: str | None = None


class ExerciseEstimateOut(CamelModel):
    exercise_id: int
    name: str
    met: float
    minutes: float = Field(description="own duration, or its share of the rest")
    kcal: float


class CalorieEstimateOut(CamelModel):
    """Σ MET × weightKg × hours (1 MET = 1 kcal/kg/h, Ainsworth 2011)."""

    weight_kg: float = Field(description="body weight the estimate used")
    weight_source: WeightSource = Field(
        description="measurement: the latest weigh-in on or before the workout's local day; "
        "profile: the profile weight (no weigh-in yet); default: 70 kg (neither)"
    )
    weight_measured_on: date | None = Field(
        default=None, description="day of that weigh-in (null unless weightSource=measurement)"
    )
    total_kcal: float
    exercises: list[ExerciseEstimateOut]


class WorkoutOut(CamelModel):
    id: UUID
    title: str
    started_at: datetime
    local_date: date = Field(description="the day it started in the user's timezone")
    duration_min: int
    notes: str | None = None
    exercises: list[WorkoutExerciseOut]
    calories_burned: float | None = Field(
        description="the user's figure, else the estimate; null with no exercises and no figure"
    )
    calories_source: CaloriesSource | None
    calorie_estimate: CalorieEstimateOut | None = Field(
        description="how the estimate was made; null when the user gave caloriesBurned or "
        "there are no exercises"
    )
    created_at: datetime
    updated_at: datetime
