"""Wire models of /nutrition/calculate, /save, /me, /history."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from fitness_platform.schemas import CamelInput, CamelModel

Gender = Literal["female", "male"]
ActivityLevel = Literal["sedentary", "light", "moderate", "active", "very_active"]
Goal = Literal["lose", "maintain", "gain"]


class CalculationInput(CamelInput):
    """Bounds from DESIGN §3; the rate is capped at 1.5 kg/week (above NHLBI's 0.5–1 kg/week)."""

    gender: Gender
    age: int = Field(ge=13, le=120, strict=True)
    height_cm: float = Field(ge=100, le=250, allow_inf_nan=False, strict=True)
    weight_kg: float = Field(ge=25, le=400, allow_inf_nan=False, strict=True)
    activity_level: ActivityLevel
    body_fat_pct: float | None = Field(default=None, ge=3, le=70, allow_inf_nan=False, strict=True)
    goal: Goal = "maintain"
    target_rate_kg_per_week: float | None = Field(
        default=None,
        ge=0,
        le=1.5,
        allow_inf_nan=False,
        strict=True,
        description="Wished weight change per week (positive); ignored for goal=maintain. "
        "Default 0.5 for lose/gain.",
    )


class CalculationInputOut(CamelModel):
    gender: Gender
    age: int
    height_cm: float
    weight_kg: float
    activity_level: ActivityLevel
    body_fat_pct: float | None = None
    goal: Goal
    target_rate_kg_per_week: float | None = None


class MacrosOut(CamelModel):
    protein_g: float
    fat_g: float
    carbs_g: float
    protein_pct: float = Field(description="share of daily energy, %")
    fat_pct: float
    carbs_pct: float


class TargetWarningOut(CamelModel):
    code: str
    message: str


class CalculationResult(CamelModel):
    bmr: float = Field(description="resting energy, kcal/day")
    bmr_formula: Literal["mifflin_st_jeor", "katch_mcardle"]
    activity_factor: float
    tdee: float = Field(description="total daily energy expenditure, kcal/day")
    daily_calories: float
    macros: MacrosOut
    fiber_g: float
    warnings: list[TargetWarningOut]


class SavedCalculation(CalculationResult):
    id: UUID
    reason: Literal["manual", "profile_change"]
    calculated_at: datetime
    input: CalculationInputOut


class CurrentTargets(CalculationResult):
    """``source=saved``: the latest saved calculation; ``source=profile``: computed on the fly
    from the profile identity shared with us (not stored, so ``id`` is null)."""

    source: Literal["saved", "profile"]
    id: UUID | None
    reason: Literal["manual", "profile_change"] | None
    calculated_at: datetime
    input: CalculationInputOut
