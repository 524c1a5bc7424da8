"""Wire models of the food catalogue (public search and admin CRUD)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from fitness_platform.schemas import CamelInput, CamelModel

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
    kcal: float = Field(ge=0, le=900, allow_inf_nan=False)
    protein_g: float = Field(ge=0, le=100, allow_inf_nan=False)
    fat_g: float = Field(ge=0, le=100, allow_inf_nan=False)
    carbs_g: float = Field(ge=0, le=100, allow_inf_nan=False)
    sat_fat_g: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    sugars_g: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    fiber_g: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    # Table salt is ~38 800 mg sodium per 100 g.
    sodium_mg: float | None = Field(default=None, ge=0, le=40_000, allow_inf_nan=False)

    @model_validator(mode="after")
    def _mass_fits_100g(self) -> NutrientsIn:
        if self.protein_g + self.fat_g + self.carbs_g > 100.5:
            raise ValueError("protein + fat + carbs cannot exceed 100 g per 100 g")
        return self


class PortionIn(CamelInput):
    amount: float = Field(gt=0, le=1000, allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=80)
    grams: float = Field(gt=0, le=5000, allow_inf_nan=False)


class FoodIn(CamelInput):
    """A custom food. ``tags``/``allergens`` omitted = derived from the description."""

    description: str = Field(min_length=1, max_length=200)
    food_group: str = Field(default="Custom", min_length=1, max_length=100)
    per_100g: NutrientsIn = Field(alias="per100g")
    tags: list[DietTag] | None = Field(default=None, max_length=4)
    allergens: list[Allergen] | None = Field(default=None, max_length=9)
    portions: list[PortionIn] = Field(default_factory=list, max_length=20)
