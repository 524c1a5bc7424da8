"""Wire models of the period summary."""

from __future__ import annotations

from datetime import date as Date

from pydantic import Field

from fitness_platform.schemas import CamelModel


class WorkoutTotals(CamelModel):
    count: int
    minutes: int
    kcal_burned: float = Field(description="sum of the workouts' calories (unknown ones count 0)")


class IntakeTotals(CamelModel):
    kcal_eaten: float
    days_logged: int
    mean_kcal_per_logged_day: float | None = None


class WeightChange(CamelModel):
    weigh_ins: int
    start_kg: float | None = None
    end_kg: float | None = None
    change_kg: float | None = None
    trend_start_kg: float | None = None
    trend_end_kg: float | None = None
    trend_change_kg: float | None = None


class Summary(CamelModel):
    start: Date = Field(alias="from")
    end: Date = Field(alias="to")
    period: str | None = Field(description="week|month|quarter|year, or null for from/to")
    workouts: WorkoutTotals
    intake: IntakeTotals
    weight: WeightChange
