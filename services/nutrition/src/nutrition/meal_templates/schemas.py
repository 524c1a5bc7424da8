"""Wire models of admin meal templates."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from fitness_platform.schemas import CamelInput, CamelModel
from nutrition.validation import Text120

MealSlot = Literal["breakfast", "lunch", "dinner", "snack"]


class TemplateItemIn(CamelInput):
    food_id: int = Field(ge=1, le=2**63 - 1, strict=True)
    grams: float = Field(gt=0, le=2000, allow_inf_nan=False, strict=True)


class MealTemplateIn(CamelInput):
    name: Text120
    slot: MealSlot
    items: list[TemplateItemIn] = Field(min_length=1, max_length=20)


class TemplateItemOut(CamelModel):
    food_id: int
    grams: float
    description: str | None = Field(
        default=None, description="the food's current name; null if it was deleted since"
    )
    kcal: float | None = None


class MealTemplateOut(CamelModel):
    id: UUID
    name: str
    slot: MealSlot
    items: list[TemplateItemOut]
    kcal: float = Field(description="energy of the items that still exist in the catalogue")
    created_at: datetime
    updated_at: datetime
