"""Weekly plan: seven days, variety across the week, deterministic per seed."""

from __future__ import annotations

from nutrition.domain.catalogue import Food
from nutrition.domain.meal_planner import PlanRequest
from nutrition.domain.plan_types import MacroTargets
from nutrition.domain.weekly_plan import MAX_USES_PER_WEEK, plan_week

TARGETS = MacroTargets(kcal=2400, protein_g=150, fat_g=75, carbs_g=285)


def test_week_has_variety_and_is_deterministic(sr28_foods: list[Food]) -> None:
    request = PlanRequest(targets=TARGETS, meals=4, seed=11)
    week = plan_week(sr28_foods, request)
    assert len(week.days) == 7
    counts = week.main_food_counts()
    assert counts
    assert max(counts.values()) <= MAX_USES_PER_WEEK
    assert sum(day.within_bands for day in week.days) >= 6
    for day in week.days:
        assert len(day.food_ids) == len(set(day.food_ids))
    again = plan_week(sr28_foods, request)
    assert [d.food_ids for d in again.days] == [d.food_ids for d in week.days]
    assert again == week
