"""Wire models of /progress/analyze and /progress/forecast."""

from __future__ import annotations

from datetime import date as Date
from typing import Literal

from pydantic import Field

from fitness_platform.schemas import CamelInput, CamelModel
from progress.validation import IsoDate

Evidence = dict[str, float | int | str | None]


class AnalyzeIn(CamelInput):
    start: IsoDate | None = Field(default=None, alias="from", description="default: 27 days ago")
    end: IsoDate | None = Field(default=None, alias="to", description="default: today")


class FindingOut(CamelModel):
    code: str = Field(
        description="LOSING_TOO_FAST | GAINING_WHILE_LOSING | PLATEAU | INTAKE_BELOW_TARGET | "
        "INTAKE_ABOVE_TARGET | TOO_FEW_WEIGH_INS | TOO_FEW_LOGGED_DAYS"
    )
    severity: Literal["info", "warning", "alert"]
    message: str
    source: str
    evidence: Evidence


class AnalysisOut(CamelModel):
    start: Date = Field(alias="from")
    end: Date = Field(alias="to")
    weigh_ins: int
    logged_days: int
    target_kcal: float | None = None
    maintenance_kcal: float | None = None
    findings: list[FindingOut]


class ForecastIn(CamelInput):
    horizon_days: int = Field(ge=7, le=730, strict=True)
    target_weight_kg: float | None = Field(default=None, ge=25, le=400, allow_inf_nan=False)
    target_date: IsoDate | None = Field(
        default=None, description="probability of reaching the target by this day"
    )
    calorie_change_kcal: float | None = Field(
        default=None,
        ge=-2500,
        le=2500,
        allow_inf_nan=False,
        description="intake change vs maintenance; default from your intake log or target",
    )
    pal: float | None = Field(default=None, ge=1.1, le=2.5, allow_inf_nan=False)


class ForecastPoint(CamelModel):
    day: Date = Field(alias="date")
    expected_kg: float
    lower_kg: float
    upper_kg: float


class TdeeOut(CamelModel):
    kcal: float
    sd_kcal: float
    method: Literal["adaptive", "prior"]
    weigh_ins: int
    intake_days: int


class TargetOut(CamelModel):
    weight_kg: float
    expected_date: Date | None = Field(
        description="first day the expected curve reaches it (null: not within the horizon)"
    )
    target_date: Date | None = None
    probability: float | None = Field(
        default=None, description="probability of being at or past the target by targetDate"
    )


class ForecastOut(CamelModel):
    method: Literal["hall-2011-dynamic"] = "hall-2011-dynamic"
    uncertainty: Literal["adaptive-tdee", "prior"]
    band_level: float
    start_date: Date
    start_weight_kg: float
    body_fat_pct: float
    body_fat_source: Literal["measured", "jackson-estimate"]
    pal: float
    baseline_intake_kcal: float
    calorie_change_kcal: float
    calorie_change_source: Literal["request", "intake-log", "nutrition-target", "none"]
    tdee: TdeeOut
    resolution: Literal["daily", "weekly"]
    points: list[ForecastPoint]
    target: TargetOut | None = None
