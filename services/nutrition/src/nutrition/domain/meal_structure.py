"""Meal structure rules for the planner: meal layouts, energy split, portion grid, roles.

Data, not code: the MILP in meal_planner.py turns these into constraints.
"""

from __future__ import annotations

from dataclasses import dataclass

# Meal names and slots by number of meals, in eating order.
MEAL_LAYOUTS: dict[int, tuple[tuple[str, str], ...]] = {
    3: (("breakfast", "breakfast"), ("lunch", "lunch"), ("dinner", "dinner")),
    4: (("breakfast", "breakfast"), ("lunch", "lunch"), ("snack_1", "snack"), ("dinner", "dinner")),
    5: (
        ("breakfast", "breakfast"),
        ("snack_1", "snack"),
        ("lunch", "lunch"),
        ("snack_2", "snack"),
        ("dinner", "dinner"),
    ),
    6: (
        ("breakfast", "breakfast"),
        ("snack_1", "snack"),
        ("lunch", "lunch"),
        ("snack_2", "snack"),
        ("dinner", "dinner"),
        ("snack_3", "snack"),
    ),
}
# Relative share of day energy per slot, normalised over the meals of a layout. A common
# dietetic convention (breakfast ≈ 25 %, lunch ≈ 35 %, dinner ≈ 30 %, snacks ≈ 10 % each), not a
# norm: it is only a soft preference in the objective.
SLOT_ENERGY_WEIGHT = {"breakfast": 25.0, "lunch": 35.0, "dinner": 30.0, "snack": 10.0}


@dataclass(frozen=True, slots=True)
class Portioning:
    unit_g: int
    min_units: int
    max_units: int


# Portion grid per role: grams come in whole units; maxima keep servings plausible (≤ 400 g for
# solid foods; a large glass/bowl for drinks and soups; fats in teaspoons-ish 5 g steps).
PORTIONS: dict[str, Portioning] = {
    "protein": Portioning(25, 2, 12),  # 50–300 g
    "starch": Portioning(25, 2, 16),  # 50–400 g
    "vegetable": Portioning(25, 2, 16),  # 50–400 g
    "fruit": Portioning(25, 2, 12),  # 50–300 g
    "dairy": Portioning(25, 1, 12),  # 25–300 g
    "snack": Portioning(25, 1, 4),  # 25–100 g
    "soup": Portioning(50, 4, 10),  # 200–500 g
    "drink": Portioning(50, 2, 10),  # 100–500 g
    "fat": Portioning(5, 1, 8),  # 5–40 g
}

# Items per meal (min, max).
ITEM_COUNT = {"breakfast": (2, 4), "lunch": (2, 4), "dinner": (2, 4), "snack": (1, 2)}
# (roles, min, max) per slot: at least/at most that many items from those roles.
ROLE_RULES: dict[str, tuple[tuple[frozenset[str], int, int], ...]] = {
    "breakfast": (
        (frozenset({"starch", "protein", "dairy"}), 1, 3),  # something substantial
    ),
    "lunch": (
        (frozenset({"protein"}), 1, 2),  # a protein source at lunch
        (frozenset({"vegetable", "soup"}), 1, 2),  # a vegetable or a soup
    ),
    "dinner": (
        (frozenset({"protein"}), 1, 2),
        (frozenset({"vegetable", "soup"}), 1, 2),
    ),
    "snack": (),
}
# At most one item of these roles in any meal.
SINGLE_PER_MEAL = ("drink", "fat", "soup", "starch", "snack")
