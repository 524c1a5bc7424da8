"""Value types of a meal plan (items, meals, day totals) and the exact-sum rounding rule.

Rounding rule: each item's nutrients are rounded once (1 decimal); every total is the sum of the
rounded item values (re-rounded to 1 decimal only to drop float noise), so a meal total always
equals the sum of its items and the day total the sum of its meals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from nutrition.domain.catalogue import Food

NUTRIENTS = (
    "kcal",
    "protein_g",
    "fat_g",
    "carbs_g",
    "sat_fat_g",
    "sugars_g",
    "fiber_g",
    "sodium_mg",
)


@dataclass(frozen=True, slots=True)
class MacroTargets:
    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float

    def __post_init__(self) -> None:
        if self.kcal <= 0 or min(self.protein_g, self.fat_g, self.carbs_g) < 0:
            raise ValueError("targets must be positive")


@dataclass(frozen=True, slots=True)
class NutrientTotals:
    """Sums of nutrients; an optional nutrient is None when any contributing food lacks it."""

    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    sat_fat_g: float | None
    sugars_g: float | None
    fiber_g: float | None
    sodium_mg: float | None

    @staticmethod
    def sum(parts: Iterable[NutrientTotals]) -> NutrientTotals:
        parts = list(parts)

        def total(name: str) -> float | None:
            values = [getattr(p, name) for p in parts]
            if any(v is None for v in values):
                return None
            return round(sum(values), 1)

        kcal, protein, fat, carbs = (
            round(sum(getattr(p, n) for p in parts), 1)
            for n in ("kcal", "protein_g", "fat_g", "carbs_g")
        )
        return NutrientTotals(
            kcal=kcal,
            protein_g=protein,
            fat_g=fat,
            carbs_g=carbs,
            sat_fat_g=total("sat_fat_g"),
            sugars_g=total("sugars_g"),
            fiber_g=total("fiber_g"),
            sodium_mg=total("sodium_mg"),
        )


def _scaled(per_100g: float | None, grams: float) -> float | None:
    return None if per_100g is None else round(per_100g * grams / 100.0, 1)


@dataclass(frozen=True, slots=True)
class PlanItem:
    ndb_no: str
    description: str
    food_group: str
    role: str
    grams: int
    nutrients: NutrientTotals

    @staticmethod
    def of(food: Food, grams: int) -> PlanItem:
        return PlanItem(
            ndb_no=food.ndb_no,
            description=food.description,
            food_group=food.food_group,
            role=food.role or "",
            grams=grams,
            nutrients=NutrientTotals(
                kcal=round(food.kcal * grams / 100.0, 1),
                protein_g=round(food.protein_g * grams / 100.0, 1),
                fat_g=round(food.fat_g * grams / 100.0, 1),
                carbs_g=round(food.carbs_g * grams / 100.0, 1),
                sat_fat_g=_scaled(food.sat_fat_g, grams),
                sugars_g=_scaled(food.sugars_g, grams),
                fiber_g=_scaled(food.fiber_g, grams),
                sodium_mg=_scaled(food.sodium_mg, grams),
            ),
        )


@dataclass(frozen=True, slots=True)
class Meal:
    name: str  # "breakfast", "lunch", "dinner", "snack_1", ...
    slot: str  # "breakfast" | "lunch" | "dinner" | "snack"
    items: tuple[PlanItem, ...]
    totals: NutrientTotals

    @staticmethod
    def of(name: str, slot: str, items: Iterable[PlanItem]) -> Meal:
        items = tuple(items)
        return Meal(name, slot, items, NutrientTotals.sum(i.nutrients for i in items))


@dataclass(frozen=True, slots=True)
class DayPlan:
    targets: MacroTargets
    meals: tuple[Meal, ...]
    totals: NutrientTotals
    within_bands: bool  # kcal ±5 %, each macro ±10 % of target
    relaxed: bool  # True when the hard bands could not be met and the closest plan is returned
    reasons: tuple[str, ...]  # why the bands were missed (empty when within_bands)
    seed: int
    solve_seconds: float = field(default=0.0, compare=False)  # wall clock, informational

    @property
    def food_ids(self) -> list[str]:
        return [item.ndb_no for meal in self.meals for item in meal.items]

    @staticmethod
    def assemble(
        *,
        targets: MacroTargets,
        meals: Iterable[Meal],
        relaxed: bool,
        reasons: Iterable[str],
        seed: int,
        within_bands: bool,
        solve_seconds: float = 0.0,
    ) -> DayPlan:
        meals = tuple(meals)
        return DayPlan(
            targets=targets,
            meals=meals,
            totals=NutrientTotals.sum(m.totals for m in meals),
            within_bands=within_bands,
            relaxed=relaxed,
            reasons=tuple(reasons),
            seed=seed,
            solve_seconds=solve_seconds,
        )
