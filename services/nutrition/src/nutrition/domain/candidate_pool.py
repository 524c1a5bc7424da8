"""Candidate foods for the meal planner: filter by diet/allergens/slot, then a seeded sample.

Sampling keeps the MILP small (fast, typically well under a second) and gives variety between
seeds; sampling per (slot, role) keeps every meal able to get the roles it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from nutrition.domain.catalogue import Food

# Foods sampled per (slot, role). 6 × ~7 roles × 4 slots ≈ 150 foods: enough choice to hit the
# bands in most cases, small enough for HiGHS to solve in ~0.1–0.3 s on 2 cores (measured, see
# tests/unit/test_meal_planner_sweep.py).
DEFAULT_PER_ROLE = 6


@dataclass(frozen=True, slots=True)
class FoodFilter:
    required_tags: frozenset[str] = frozenset()
    excluded_allergens: frozenset[str] = frozenset()
    excluded_food_ids: frozenset[str] = frozenset()

    def admits(self, food: Food) -> bool:
        if not food.suggestible or not food.complete:
            # Incomplete foods are left out so plan validation can judge every nutrient.
            return False
        if food.ndb_no in self.excluded_food_ids:
            return False
        if not self.required_tags <= food.tags:
            return False
        if self.excluded_allergens:
            if food.allergens & self.excluded_allergens:
                return False
            if food.composite:
                # Ingredients unknown: cannot promise the allergen is absent.
                return False
        return True


@dataclass(frozen=True, slots=True)
class CandidatePool:
    by_slot: dict[str, tuple[Food, ...]]  # slot -> sampled foods
    eligible_counts: dict[str, dict[str, int]]  # slot -> role -> eligible before sampling
    eligible_total: int

    def foods(self) -> list[Food]:
        seen: dict[str, Food] = {}
        for foods in self.by_slot.values():
            for food in foods:
                seen.setdefault(food.ndb_no, food)
        return [seen[k] for k in sorted(seen)]


def build_pool(
    foods: Sequence[Food],
    *,
    slots: Iterable[str],
    food_filter: FoodFilter,
    seed: int,
    per_role: int = DEFAULT_PER_ROLE,
) -> CandidatePool:
    """Deterministic for (catalogue, filter, seed): eligible foods are sorted by ndb_no before a
    numpy Generator seeded with `seed` draws from them."""
    eligible = sorted((f for f in foods if food_filter.admits(f)), key=lambda f: f.ndb_no)
    rng = np.random.default_rng(seed)
    by_slot: dict[str, tuple[Food, ...]] = {}
    counts: dict[str, dict[str, int]] = {}
    for slot in sorted(set(slots)):
        by_role: dict[str, list[Food]] = {}
        for food in eligible:
            if slot in food.slots and food.role is not None:
                by_role.setdefault(food.role, []).append(food)
        counts[slot] = {role: len(v) for role, v in sorted(by_role.items())}
        picked: list[Food] = []
        for role in sorted(by_role):
            group = by_role[role]
            if len(group) <= per_role:
                picked.extend(group)
            else:
                idx = rng.choice(len(group), size=per_role, replace=False)
                picked.extend(group[int(i)] for i in sorted(idx))
        by_slot[slot] = tuple(picked)
    return CandidatePool(by_slot=by_slot, eligible_counts=counts, eligible_total=len(eligible))
