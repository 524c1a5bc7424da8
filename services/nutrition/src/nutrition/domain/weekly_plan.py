"""Seven-day plan: the day planner run per day, with variety carried across days.

Variety rule: no *main* food (any role except fat and drink: cooking oil or milk may recur)
more than twice in the week. Usage counts are carried from day to day: a food already used
twice is excluded from the following days' candidate pools, which is the same as the
constraint Σ_days y_food ≤ 2 (each food appears at most once per day).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from nutrition.domain.catalogue import Food
from nutrition.domain.meal_planner import PlanRequest, plan_day
from nutrition.domain.plan_types import DayPlan

DAYS_PER_WEEK = 7
MAX_USES_PER_WEEK = 2
REPEATABLE_ROLES = frozenset({"fat", "drink"})


@dataclass(frozen=True, slots=True)
class WeekPlan:
    days: tuple[DayPlan, ...]
    seed: int

    @property
    def within_bands(self) -> bool:
        return all(day.within_bands for day in self.days)

    def main_food_counts(self) -> Counter[str]:
        return Counter(
            item.ndb_no
            for day in self.days
            for meal in day.meals
            for item in meal.items
            if item.role not in REPEATABLE_ROLES
        )


def day_seed(seed: int, day_index: int) -> int:
    """Each day samples its own pool, derived from the week's seed."""
    return seed * 1009 + day_index


def plan_week(foods: Sequence[Food], request: PlanRequest) -> WeekPlan:
    used: Counter[str] = Counter()
    days: list[DayPlan] = []
    for day_index in range(DAYS_PER_WEEK):
        exhausted = frozenset(ndb for ndb, n in used.items() if n >= MAX_USES_PER_WEEK)
        day_filter = replace(
            request.food_filter,
            excluded_food_ids=request.food_filter.excluded_food_ids | exhausted,
        )
        day = plan_day(
            foods,
            replace(request, food_filter=day_filter, seed=day_seed(request.seed, day_index)),
        )
        days.append(day)
        for meal in day.meals:
            for item in meal.items:
                if item.role not in REPEATABLE_ROLES:
                    used[item.ndb_no] += 1
    return WeekPlan(days=tuple(days), seed=request.seed)
