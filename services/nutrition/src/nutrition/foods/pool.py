"""In-process cache of the planner's candidate foods (the catalogue is static data).

Loaded once per process on first use; an admin write in this process drops it at once, other
processes pick the change up after ``ttl_s``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nutrition.domain import catalogue
from nutrition.foods import repository
from nutrition.foods.models import Food


def food_key(food_id: int, ndb_no: str | None) -> str:
    """The domain's food id: the NDB number for SR28 foods, the numeric id for custom ones.
    ``int(key)`` is the database id in both cases."""
    return ndb_no or str(food_id)


def to_domain(row: Food) -> catalogue.Food:
    return catalogue.Food(
        ndb_no=food_key(row.id, row.ndb_no),
        description=row.description,
        food_group=row.food_group,
        kcal=row.kcal,
        protein_g=row.protein_g,
        fat_g=row.fat_g,
        sat_fat_g=row.sat_fat_g,
        carbs_g=row.carbs_g,
        sugars_g=row.sugars_g,
        fiber_g=row.fiber_g,
        sodium_mg=row.sodium_mg,
        tags=frozenset(row.tags),
        allergens=frozenset(row.allergens),
        composite=row.composite,
        role=row.role,  # type: ignore[arg-type]
        slots=frozenset(row.slots),  # type: ignore[arg-type]
    )


class FoodPool:
    def __init__(self, ttl_s: float = 600.0) -> None:
        self.ttl_s = ttl_s
        self._foods: list[catalogue.Food] | None = None
        self._by_id: dict[int, catalogue.Food] = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._foods = None

    async def foods(self, session: AsyncSession) -> list[catalogue.Food]:
        if self._foods is not None and time.monotonic() - self._loaded_at < self.ttl_s:
            return self._foods
        async with self._lock:
            if self._foods is None or time.monotonic() - self._loaded_at >= self.ttl_s:
                rows = await repository.all_suggestible(session)
                foods = [to_domain(r) for r in rows]
                self._by_id = {r.id: f for r, f in zip(rows, foods, strict=True)}
                self._foods = foods
                self._loaded_at = time.monotonic()
        return self._foods

    def key_of(self, food_id: int) -> str | None:
        food = self._by_id.get(food_id)
        return food.ndb_no if food is not None else None


def get_pool(state: Any) -> FoodPool:
    pool: FoodPool | None = getattr(state, "food_pool", None)
    if pool is None:
        pool = FoodPool()
        state.food_pool = pool
    return pool
