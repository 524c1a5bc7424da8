"""Use cases: one-day meal suggestion, stored 7-day personal plans, plan validation."""

from __future__ import annotations

import asyncio
import secrets
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.problems import Conflict
from nutrition.calculations import service as calculation_service
from nutrition.domain import meal_planner
from nutrition.domain.candidate_pool import FoodFilter
from nutrition.domain.plan_types import DayPlan, MacroTargets, NutrientTotals
from nutrition.foods.pool import FoodPool
from nutrition.plans.schemas import (
    MAX_SEED,
    DayPlanOut,
    MealOut,
    NutrientTotalsOut,
    PlanItemOut,
    PlanOptionsIn,
    TargetsOut,
)


async def resolve_targets(
    session: AsyncSession, *, user_id: UUID, options: PlanOptionsIn
) -> MacroTargets:
    if options.targets is not None:
        t = options.targets
        return MacroTargets(kcal=t.kcal, protein_g=t.protein_g, fat_g=t.fat_g, carbs_g=t.carbs_g)
    current = await calculation_service.current_targets(session=session, user_id=user_id)
    if current is None:
        raise Conflict(
            "No targets to plan for: send `targets`, save a calculation, or complete the profile."
        )
    return MacroTargets(
        kcal=current.daily_calories,
        protein_g=current.macros.protein_g,
        fat_g=current.macros.fat_g,
        carbs_g=current.macros.carbs_g,
    )


def food_filter(pool: FoodPool, options: PlanOptionsIn) -> FoodFilter:
    # Unknown ids cannot be in a plan anyway, so they are simply ignored.
    keys = {pool.key_of(i) for i in options.excluded_food_ids}
    return FoodFilter(
        required_tags=frozenset(options.diet_tags),
        excluded_allergens=frozenset(options.allergens),
        excluded_food_ids=frozenset(k for k in keys if k is not None),
    )


def seed_of(options: PlanOptionsIn) -> int:
    return options.seed if options.seed is not None else secrets.randbelow(MAX_SEED)


def totals_out(t: NutrientTotals) -> NutrientTotalsOut:
    return NutrientTotalsOut(
        kcal=t.kcal,
        protein_g=t.protein_g,
        fat_g=t.fat_g,
        carbs_g=t.carbs_g,
        sat_fat_g=t.sat_fat_g,
        sugars_g=t.sugars_g,
        fiber_g=t.fiber_g,
        sodium_mg=t.sodium_mg,
    )


def targets_out(t: MacroTargets) -> TargetsOut:
    return TargetsOut(kcal=t.kcal, protein_g=t.protein_g, fat_g=t.fat_g, carbs_g=t.carbs_g)


def day_out(plan: DayPlan) -> DayPlanOut:
    return DayPlanOut(
        targets=targets_out(plan.targets),
        meals=[
            MealOut(
                name=meal.name,
                slot=meal.slot,
                items=[
                    PlanItemOut(
                        # The domain id is the NDB number (SR28) or the numeric id (custom).
                        food_id=int(item.ndb_no),
                        description=item.description,
                        food_group=item.food_group,
                        role=item.role,
                        grams=item.grams,
                        nutrients=totals_out(item.nutrients),
                    )
                    for item in meal.items
                ],
                totals=totals_out(meal.totals),
            )
            for meal in plan.meals
        ],
        totals=totals_out(plan.totals),
        within_bands=plan.within_bands,
        relaxed=plan.relaxed,
        reasons=list(plan.reasons),
        seed=plan.seed,
    )


async def suggest_meals(
    *, session: AsyncSession, pool: FoodPool, user_id: UUID, options: PlanOptionsIn
) -> DayPlanOut:
    targets = await resolve_targets(session, user_id=user_id, options=options)
    foods = await pool.foods(session)
    request = meal_planner.PlanRequest(
        targets=targets,
        meals=options.meals,
        food_filter=food_filter(pool, options),
        seed=seed_of(options),
    )
    # The MILP is CPU-bound (≈0.1–0.3 s): keep it off the event loop.
    plan = await asyncio.to_thread(meal_planner.plan_day, foods, request)
    return day_out(plan)
