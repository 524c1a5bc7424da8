"""Wire models of meal suggestions, personal plans and plan validation."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from fitness_platform.schemas import CamelInput, CamelModel
from nutrition.foods.schemas import Allergen, DietTag
from nutrition.validation import IsoDate

MAX_SEED = 2**31 - 1
MACRO_ENERGY_TOLERANCE = 0.20


class TargetsIn(CamelInput):
    """Daily targets; the macros' energy (Atwater 4/9/4 kcal per g) must be within 20 % of
    ``kcal`` so the planner is never asked for an impossible day."""

    kcal: float = Field(ge=800, le=6000, allow_inf_nan=False, strict=True)
    protein_g: float = Field(ge=1, le=500, allow_inf_nan=False, strict=True)
    fat_g: float = Field(ge=1, le=400, allow_inf_nan=False, strict=True)
    carbs_g: float = Field(ge=1, le=1000, allow_inf_nan=False, strict=True)

    @model_validator(mode="after")
    def _macros_match_energy(self) -> TargetsIn:
        macro_kcal = 4 * self.protein_g + 9 * self.fat_g + 4 * self.carbs_g
        if abs(macro_kcal - self.kcal) > MACRO_ENERGY_TOLERANCE * self.kcal:
            raise ValueError(
                f"macros give {macro_kcal:.0f} kcal, more than "
                f"{MACRO_ENERGY_TOLERANCE:.0%} away from kcal={self.kcal:.0f}"
            )
        return self


class PlanOptionsIn(CamelInput):
    meals: int = Field(default=3, ge=3, le=6, strict=True)
    diet_tags: list[DietTag] = Field(default_factory=list, max_length=4)
    allergens: list[Allergen] = Field(
        default_factory=list, max_length=9, description="allergens to exclude"
    )
    excluded_food_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]] = Field(
        default_factory=list, max_length=500
    )
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, strict=True, description="same seed + inputs = same plan"
    )
    targets: TargetsIn | None = Field(
        default=None, description="default: the user's current targets (GET /nutrition/me)"
    )


class MealSuggestionIn(PlanOptionsIn):
    pass


class PersonalPlanIn(PlanOptionsIn):
    start_date: IsoDate | None = Field(
        default=None, description="first day of the 7; default today in the user's timezone"
    )


class TargetsOut(CamelModel):
    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float


class NutrientTotalsOut(CamelModel):
    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    sat_fat_g: float | None = None
    sugars_g: float | None = None
    fiber_g: float | None = None
    sodium_mg: float | None = None


class PlanItemOut(CamelModel):
    food_id: int
    description: str
    food_group: str
    role: str
    grams: int
    nutrients: NutrientTotalsOut


class MealOut(CamelModel):
    name: str
    slot: Literal["breakfast", "lunch", "dinner", "snack"]
    items: list[PlanItemOut]
    totals: NutrientTotalsOut


class DayPlanOut(CamelModel):
    targets: TargetsOut
    meals: list[MealOut]
    totals: NutrientTotalsOut
    within_bands: bool = Field(description="kcal within ±5 %, each macro within ±10 %")
    relaxed: bool
    reasons: list[str]
    seed: int


class PlanDayOut(DayPlanOut):
    day: Date = Field(alias="date")


class PersonalPlanOut(CamelModel):
    id: UUID
    start_date: Date
    created_at: datetime
    targets: TargetsOut
    options: PlanOptionsIn
    days: list[PlanDayOut]


class PersonalPlanSummary(CamelModel):
    id: UUID
    start_date: Date
    created_at: datetime
    targets: TargetsOut


class PlanItemIn(CamelInput):
    food_id: int = Field(ge=1, le=2**63 - 1, strict=True)
    grams: int = Field(ge=1, le=2000, strict=True)


class PlanMealIn(CamelInput):
    name: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    slot: Literal["breakfast", "lunch", "dinner", "snack"]
    items: list[PlanItemIn] = Field(min_length=1, max_length=20)


class PlanDayIn(CamelInput):
    meals: list[PlanMealIn] = Field(min_length=1, max_length=6)


class MealPlanValidateIn(CamelInput):
    """A plan to judge: one to seven days of meals (e.g. edited from a suggestion)."""

    days: list[PlanDayIn] = Field(min_length=1, max_length=7)
    targets: TargetsIn | None = Field(
        default=None, description="default: the user's current targets (GET /nutrition/me)"
    )


class NutrientCheckOut(CamelModel):
    nutrient: str
    unit: str
    target: float | None
    actual: float | None
    low: float | None = Field(description="allowed band; null = unbounded on that side")
    high: float | None
    status: Literal["ok", "low", "high", "unknown"]
    source: str


class ViolationOut(CamelModel):
    day_index: int
    nutrient: str
    status: Literal["ok", "low", "high", "unknown"]
    severity: Literal["info", "warning", "critical"]
    message: str
    suggestion: str


class DayValidationOut(CamelModel):
    day_index: int = Field(description="0-based position of the day in the request")
    totals: NutrientTotalsOut
    checks: list[NutrientCheckOut]
    violations: list[ViolationOut]


class MealPlanValidationOut(CamelModel):
    ok: bool = Field(description="true when no day has a violation")
    targets: TargetsOut
    days: list[DayValidationOut]
