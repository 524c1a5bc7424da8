"""Wire models of the weekly report."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from fitness_platform.schemas import CamelInput, CamelModel
from progress.validation import IsoDate


class WeeklyReportIn(CamelInput):
    week_start: IsoDate | None = Field(
        default=None, description="a Monday; default: the last complete week in your timezone"
    )


class ReportDay(CamelModel):
    day: Date = Field(alias="date")
    weight_kg: float | None = None
    trend_weight_kg: float | None = None
    kcal_in: float | None = Field(default=None, description="diary total (null: not logged)")
    kcal_out: float = Field(description="workouts' calories burned")
    target_kcal: float | None = None


class ReportTotals(CamelModel):
    workouts: int
    workout_minutes: int
    kcal_burned: float
    kcal_eaten: float
    days_logged: int
    weigh_ins: int
    weight_change_kg: float | None = None
    trend_change_kg: float | None = None


class Recommendation(CamelModel):
    code: str
    severity: Literal["info", "warning", "alert"]
    message: str
    source: str


class Chart(CamelModel):
    url: str = Field(description="presigned GET URL of the rendered PNG")
    content_type: str = "image/png"
    expires_at: datetime


class WeeklyReportOut(CamelModel):
    id: UUID
    week_start: Date
    week_end: Date
    generated_at: datetime
    days: list[ReportDay]
    totals: ReportTotals
    recommendations: list[Recommendation]
    chart: Chart
