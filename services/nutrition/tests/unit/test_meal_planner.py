"""Day planner (MILP): constraints honoured, determinism, exact totals, relaxed fallback."""

from __future__ import annotations

import os
import sys
from collections import Counter
from types import FrameType

import pytest

from nutrition.domain.candidate_pool import FoodFilter
from nutrition.domain.catalogue import Food
from nutrition.domain.meal_planner import KCAL_BAND, MACRO_BAND, PlanRequest, plan_day
from nutrition.domain.plan_types import DayPlan, MacroTargets, NutrientTotals

TARGETS = MacroTargets(kcal=2200, protein_g=130, fat_g=70, carbs_g=262)


def _assert_totals_add_up(plan: DayPlan) -> None:
    for meal in plan.meals:
        assert meal.totals == NutrientTotals.sum(i.nutrients for i in meal.items)
        assert meal.totals.kcal == round(sum(i.nutrients.kcal for i in meal.items), 1)
    assert plan.totals == NutrientTotals.sum(m.totals for m in plan.meals)
    items = [i for m in plan.meals for i in m.items]
    for name in ("kcal", "protein_g", "fat_g", "carbs_g"):
        assert getattr(plan.totals, name) == round(
            sum(getattr(i.nutrients, name) for i in items), 1
        )


def _assert_structure(plan: DayPlan) -> None:
    ids = plan.food_ids
    assert len(ids) == len(set(ids)), "a food appears twice in a day"
    for meal in plan.meals:
        low, high = (1, 2) if meal.slot == "snack" else (2, 4)
        assert low <= len(meal.items) <= high, meal
        roles = Counter(i.role for i in meal.items)
        if meal.slot in ("lunch", "dinner"):
            assert roles["protein"] >= 1
        for item in meal.items:
            assert item.grams > 0
            assert item.grams <= 500


@pytest.mark.parametrize("meals", [3, 4, 5, 6])
def test_plan_meets_bands_and_structure(sr28_foods: list[Food], meals: int) -> None:
    plan = plan_day(sr28_foods, PlanRequest(targets=TARGETS, meals=meals, seed=7))
    assert plan.within_bands, plan.reasons
    assert not plan.relaxed
    assert abs(plan.totals.kcal - TARGETS.kcal) <= KCAL_BAND * TARGETS.kcal
    for name in ("protein_g", "fat_g", "carbs_g"):
        target = getattr(TARGETS, name)
        assert abs(getattr(plan.totals, name) - target) <= MACRO_BAND * target
    assert [m.slot for m in plan.meals].count("snack") == meals - 3
    _assert_structure(plan)
    _assert_totals_add_up(plan)


def test_no_steak_for_breakfast(sr28_foods: list[Food]) -> None:
    for seed in range(5):
        plan = plan_day(sr28_foods, PlanRequest(targets=TARGETS, meals=3, seed=seed))
        breakfast = plan.meals[0]
        assert breakfast.slot == "breakfast"
        assert not [i for i in breakfast.items if i.food_group == "Beef Products"]


def test_deterministic_per_seed(sr28_foods: list[Food]) -> None:
    request = PlanRequest(targets=TARGETS, meals=5, seed=42)
    first = plan_day(sr28_foods, request)
    second = plan_day(sr28_foods, request)
    assert first == second
    other = plan_day(sr28_foods, PlanRequest(targets=TARGETS, meals=5, seed=43))
    assert other.food_ids != first.food_ids


def test_exclusions_are_never_violated(sr28_foods: list[Food]) -> None:
    by_id = {f.ndb_no: f for f in sr28_foods}
    first = plan_day(sr28_foods, PlanRequest(targets=TARGETS, meals=4, seed=3))
    banned_ids = frozenset(first.food_ids)
    allergens = frozenset({"milk", "wheat", "peanuts", "egg"})
    for seed in range(3, 8):
        plan = plan_day(
            sr28_foods,
            PlanRequest(
                targets=TARGETS,
                meals=4,
                seed=seed,
                food_filter=FoodFilter(excluded_allergens=allergens, excluded_food_ids=banned_ids),
            ),
        )
        assert plan.meals
        for ndb in plan.food_ids:
            food = by_id[ndb]
            assert ndb not in banned_ids
            assert not food.allergens & allergens, food.description
            assert not food.composite  # unknown ingredients are not risked


def test_required_diet_tags(sr28_foods: list[Food]) -> None:
    by_id = {f.ndb_no: f for f in sr28_foods}
    plan = plan_day(
        sr28_foods,
        PlanRequest(
            targets=MacroTargets(kcal=2000, protein_g=80, fat_g=60, carbs_g=280),
            meals=3,
            seed=1,
            food_filter=FoodFilter(required_tags=frozenset({"vegan"})),
        ),
    )
    assert plan.meals
    assert all("vegan" in by_id[ndb].tags for ndb in plan.food_ids)


def test_infeasible_targets_return_closest_plan_with_reasons(sr28_foods: list[Food]) -> None:
    # 1500 kcal cannot carry 300 g protein (1200 kcal) plus 100 g fat (900 kcal).
    targets = MacroTargets(kcal=1500, protein_g=300, fat_g=100, carbs_g=200)
    plan = plan_day(sr28_foods, PlanRequest(targets=targets, meals=3, seed=1))
    assert plan.relaxed
    assert not plan.within_bands
    assert plan.meals
    assert all(m.items for m in plan.meals)
    assert any(r.startswith("protein_g:") or r.startswith("kcal:") for r in plan.reasons)
    _assert_totals_add_up(plan)


def test_tiny_pool_is_explained(sr28_foods: list[Food]) -> None:
    vegan = [f for f in sr28_foods if f.suggestible and f.complete and "vegan" in f.tags]
    few = sorted(vegan, key=lambda f: f.ndb_no)[:12]
    plan = plan_day(
        few,
        PlanRequest(targets=TARGETS, meals=3, seed=0, food_filter=FoodFilter(frozenset({"vegan"}))),
    )
    assert not plan.within_bands
    assert any("only 12 foods match the filters (diet: vegan" in r for r in plan.reasons)


def test_empty_catalogue_gives_empty_plan_with_reason() -> None:
    plan = plan_day([], PlanRequest(targets=TARGETS, meals=3, seed=0))
    assert plan.meals == ()
    assert not plan.within_bands
    assert plan.reasons
    assert plan.reasons[0].startswith("no plan could be built")


def test_meals_outside_3_to_6_rejected() -> None:
    with pytest.raises(ValueError, match="meals"):
        PlanRequest(targets=TARGETS, meals=7)


def test_a_solve_leaves_the_process_wide_warning_filters_alone(sr28_foods: list[Food]) -> None:
    # Solves run in a thread pool, and warnings' filters are one process-wide list: a
    # catch_warnings() in one solve (ours, or scipy's for a dense LinearConstraint, which sets
    # "error") turned a warning of another thread's solve into a 500 under concurrent load.
    entered: list[str] = []

    def profile(frame: FrameType, event: str, arg: object) -> None:
        code = frame.f_code
        if (
            event == "call"
            and code.co_name == "__enter__"
            and code.co_filename.endswith(f"{os.sep}warnings.py")
        ):
            entered.append(code.co_filename)

    sys.setprofile(profile)
    try:
        plan = plan_day(sr28_foods, PlanRequest(targets=TARGETS, meals=3, seed=11))
    finally:
        sys.setprofile(None)
    assert plan.within_bands
    assert entered == []
