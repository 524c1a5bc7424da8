"""Wire models of the food diary."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field, model_validator

from fitness_platform.schemas import CamelInput, CamelModel
from nutrition.validation import IsoDate, Text200

MealSlot = Literal["breakfast", "lunch", "dinner", "snack"]


class CustomItemIn(CamelInput):
    """Something not in the catalogue; nutrients are for the amount eaten (not per 100 g)."""

    name: Text200
    grams: float = Field(gt=0, le=5000, allow_inf_nan=False, strict=True)
    kcal: float = Field(ge=0, le=10_000, allow_inf_nan=False, strict=True)
    protein_g: float = Field(ge=0, le=1000, allow_inf_nan=False, strict=True)
    fat_g: float = Field(ge=0, le=1000, allow_inf_nan=False, strict=True)
    carbs_g: float = Field(ge=0, le=1000, allow_inf_nan=False, strict=True)
    fiber_g: float | None = Field(default=None, ge=0, le=500, allow_inf_nan=False, strict=True)
    sodium_mg: float | None = Field(
        default=None, ge=0, le=100_000, allow_inf_nan=False, strict=True
    )
    sat_fat_g: float | None = Field(default=None, ge=0, le=1000, allow_inf_nan=False, strict=True)
    sugars_g: float | None = Field(default=None, ge=0, le=1000, allow_inf_nan=False, strict=True)


class DiaryEntryIn(CamelInput):
    """Either ``foodId`` + ``grams`` (catalogue food) or ``customItem``."""

    day: IsoDate | None = Field(
        default=None, alias="date", description="the day in the user's timezone; default today"
    )
    meal_slot: MealSlot
    food_id: int | None = Field(default=None, ge=1, le=2**63 - 1, strict=True)
    grams: float | None = Field(default=None, gt=0, le=5000, allow_inf_nan=False, strict=True)
    custom_item: CustomItemIn | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DiaryEntryIn:
        catalogue = self.food_id is not None or self.grams is not None
        if catalogue and self.custom_item is not None:
            raise ValueError("give either foodId + grams or customItem, not both")
        if self.custom_item is None and (self.food_id is None or self.grams is None):
            raise ValueError("foodId and grams are required unless customItem is given")
        return self


class EntryNutrients(CamelModel):
    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    fiber_g: float | None = None
    sodium_mg: float | None = None
    sat_fat_g: float | None = None
    sugars_g: float | None = None


class DiaryEntryOut(CamelModel):
    id: UUID
    day: Date = Field(alias="date")
    meal_slot: MealSlot
    food_id: int | None
    name: str
    grams: float
    nutrients: EntryNutrients
    created_at: datetime


class DayTotalsOut(CamelModel):
    """Sums over the day's entries; an optional nutrient is null when any entry lacks it."""

    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    fiber_g: float | None = None
    sodium_mg: float | None = None


class DayTargets(CamelModel):
    source: Literal["saved", "profile"]
    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    fiber_g: float


class DiaryDay(CamelModel):
    day: Date = Field(alias="date")
    timezone: str
    entries: list[DiaryEntryOut]
    totals: DayTotalsOut
    targets: DayTargets | None = Field(description="null when the user has no targets yet")
    remaining: DayTotalsOut | None = Field(description="targets − totals (negative = over)")
    cursor: str = Field(description="pass as `updatedSince` to get every later diary change")
