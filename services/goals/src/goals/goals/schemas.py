"""Wire models of goals: one create body per type (discriminated by ``type``), patch, reads."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from fitness_platform.schemas import CamelInput, CamelModel
from goals.validation import IsoDate, Title

GoalType = Literal[
    "weight_target", "workouts_per_week", "weekly_active_minutes", "calorie_adherence"
]
GoalStatus = Literal["active", "paused", "completed", "abandoned"]

# Bounds (DESIGN §3 weight 25–400 kg; issue 11 for the others).
WeightKg = Annotated[float, Field(ge=25, le=400, allow_inf_nan=False, strict=True)]
WorkoutsPerWeek = Annotated[int, Field(ge=1, le=14, strict=True)]
MinutesPerWeek = Annotated[int, Field(ge=10, le=3000, strict=True)]
DaysPerWeek = Annotated[int, Field(ge=1, le=7, strict=True)]
TolerancePct = Annotated[float, Field(gt=0, le=50, allow_inf_nan=False, strict=True)]


class _GoalIn(CamelInput):
    title: Title | None = None
    start_date: IsoDate | None = Field(
        default=None, description="default: today in the user's timezone"
    )
    end_date: IsoDate | None = None

    @model_validator(mode="after")
    def _dates(self) -> _GoalIn:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("endDate must not be before startDate")
        return self


class WeightTargetIn(_GoalIn):
    type: Literal["weight_target"]
    target_weight_kg: WeightKg


class WorkoutsPerWeekIn(_GoalIn):
    type: Literal["workouts_per_week"]
    workouts_per_week: WorkoutsPerWeek


class WeeklyActiveMinutesIn(_GoalIn):
    type: Literal["weekly_active_minutes"]
    minutes_per_week: MinutesPerWeek


class CalorieAdherenceIn(_GoalIn):
    type: Literal["calorie_adherence"]
    days_per_week: DaysPerWeek
    tolerance_pct: TolerancePct = 10.0


GoalIn = Annotated[
    WeightTargetIn | WorkoutsPerWeekIn | WeeklyActiveMinutesIn | CalorieAdherenceIn,
    Field(discriminator="type"),
]


class GoalPatch(CamelInput):
    """Only the fields given change; the target field must match the goal's type."""

    title: Title | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = Field(default=None, description="null clears the end date")
    status: GoalStatus | None = None
    target_weight_kg: WeightKg | None = None
    workouts_per_week: WorkoutsPerWeek | None = None
    minutes_per_week: MinutesPerWeek | None = None
    days_per_week: DaysPerWeek | None = None
    tolerance_pct: TolerancePct | None = None

    @model_validator(mode="after")
    def _sane(self) -> GoalPatch:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        for name in self.model_fields_set - {"end_date"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("endDate must not be before startDate")
        return self


class GoalOut(CamelModel):
    id: UUID
    type: GoalType
    title: str
    status: GoalStatus
    target_value: float = Field(description="in the unit of the type: kg, workouts, minutes, days")
    unit: Literal["kg", "workouts", "minutes", "days"]
    tolerance_pct: float | None = Field(description="calorie adherence only")
    direction: Literal["lose", "gain"] | None = Field(description="weight targets only")
    start_weight_kg: float | None = Field(
        description="weight targets: the (trend) weight when the goal was set, if known"
    )
    start_date: Date
    end_date: Date | None
    progress_pct: float | None = Field(description="stored by the last auto-update")
    current_value: float | None
    evaluated_at: datetime | None
    achieved_at: datetime | None
    created_at: datetime
    updated_at: datetime
