"""Wire models of workout templates (predefined plans) and their admin CRUD."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field, model_validator

from fitness_platform.schemas import CamelInput, CamelModel
from training.validation import (
    DistanceKm,
    ExerciseId,
    Minutes,
    Notes,
    Reps,
    Sets,
    ShortNotes,
    Title,
)
from training.workouts.schemas import CalorieEstimateOut

Level = Literal["beginner", "intermediate", "advanced"]
Goal = Literal["strength", "hypertrophy", "endurance", "fat_loss", "mobility", "general"]


class TemplateExerciseIn(CamelInput):
    exercise_id: ExerciseId
    duration_min: Minutes | None = None
    sets: Sets | None = None
    reps: Reps | None = None
    distance_km: DistanceKm | None = None
    notes: ShortNotes | None = None


class WorkoutTemplateIn(CamelInput):
    name: Title
    level: Level
    goal: Goal
    description: Notes
    duration_min: Minutes
    exercises: list[TemplateExerciseIn] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _durations_fit(self) -> WorkoutTemplateIn:
        if sum(e.duration_min or 0 for e in self.exercises) > self.duration_min:
            raise ValueError("the exercises' durationMin add up to more than the template's")
        return self


class TemplateExerciseOut(CamelModel):
    exercise_id: int
    name: str
    category: str
    met: float
    duration_min: int | None = None
    sets: int | None = None
    reps: int | None = None
    distance_km: float | None = None
    notes: str | None = None


class WorkoutTemplateOut(CamelModel):
    id: UUID
    name: str
    level: Level
    goal: Goal
    description: str
    duration_min: int = Field(description="estimated duration")
    exercises: list[TemplateExerciseOut]
    estimated_kcal: float = Field(description="for the caller's current weight")
    calorie_estimate: CalorieEstimateOut
    created_at: datetime
    updated_at: datetime
