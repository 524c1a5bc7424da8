"""Wire models of the food catalogue (public search and admin CRUD)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from fitness_platform.schemas import CamelInput, CamelModel
from nutrition.validation import Text80, Text100, Text200

DietTag = Literal["vegan", "vegetarian", "gluten_free", "lactose_free"]
Allergen = Literal[
    "milk", "egg", "fish", "shellfish", "tree_nuts", "peanuts", "wheat", "soy", "sesame"
]


class Nutrients(CamelModel):
    """Per 100 g edible portion; null = unknown (not zero)."""

    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    sat_fat_g: float | None = None
    sugars_g: float | None = None
    fiber_g: float | None = None
    sodium_mg: float | None = None


class PortionOut(CamelModel):
    amount: float
    unit: str
    grams: float


class FoodSummary(CamelModel):
    id: int
    description: str
    food_group: str
    source: Literal["sr28", "custom"]
    per_100g: Nutrients = Field(alias="per100g")
    tags: list[str]
    allergens: list[str]


class FoodDetail(FoodSummary):
    portions: list[PortionOut]
    composite: bool = Field(
        description="ingredients not evident from the description: allergens cannot be ruled out"
    )
    updated_at: datetime


class NutrientsIn(CamelInput):
    kcal: float = Field(ge=0, le=900, allow_inf_nan=False, strict=True)
    protein_g: float = Field(ge=0, le=100, allow_inf_nan=False, strict=True)
    fat_g: float = Field(ge=0, le=100, allow_inf_nan=False, strict=True)
    carbs_g: float = Field(ge=0, le=100, allow_inf_nan=False, strict=True)
    sat_fat_g: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False, strict=True)
    sugars_g: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False, strict=True)
    fiber_g: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False, strict=True)
    # Table salt is ~38 800 mg sodium per 100 g.
    sodium_mg: float | None = Field(default=None, ge=0, le=40_000, allow_inf_nan=False, strict=True)

    @model_validator(mode="after")
    def _mass_fits_100g(self) -> NutrientsIn:
        if self.protein_g + self.fat_g + self.carbs_g > 100.5:
            raise ValueError("protein + fat + carbs cannot exceed 100 g per 100 g")
        return self


class PortionIn(CamelInput):
    amount: float = Field(gt=0, le=1000, allow_inf_nan=False, strict=True)
    unit: Text80
    grams: float = Field(gt=0, le=5000, allow_inf_nan=False, strict=True)


class FoodIn(CamelInput):
    """A custom food. ``tags``/``allergens`` omitted = derived from the description."""

    description: Text200
    food_group: Text100 = "Custom"
    per_100g: NutrientsIn = Field(alias="per100g")
    tags: list[DietTag] | None = Field(default=None, max_length=4)
    allergens: list[Allergen] | None = Field(default=None, max_length=9)
    portions: list[PortionIn] = Field(default_factory=list, max_length=20)
