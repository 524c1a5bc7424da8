"""Use cases: one-day meal suggestion, stored 7-day personal plans, plan validation."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.pagination import Page, PageParams
from fitness_platform.problems import Conflict
from nutrition.calculations import service as calculation_service
from nutrition.domain import meal_planner, plan_validation, weekly_plan
from nutrition.domain.candidate_pool import FoodFilter
from nutrition.domain.catalogue import Food
from nutrition.domain.plan_types import DayPlan, MacroTargets, Meal, NutrientTotals, PlanItem
from nutrition.foods import service as food_service
from nutrition.foods.pool import FoodPool, to_domain
from nutrition.plans import repository
from nutrition.plans.models import PersonalPlan
from nutrition.plans.schemas import (
    MAX_SEED,
    DayPlanOut,
    DayValidationOut,
    MealOut,
    MealPlanValidateIn,
    MealPlanValidationOut,
    NutrientCheckOut,
    NutrientTotalsOut,
    PersonalPlanIn,
    PersonalPlanOut,
    PersonalPlanSummary,
    PlanDayOut,
    PlanItemOut,
    PlanOptionsIn,
    TargetsIn,
    TargetsOut,
    ViolationOut,
)
from nutrition.profiles import service as profile_service


async def resolve_targets(
    session: AsyncSession, *, user_id: UUID, targets: TargetsIn | None
) -> MacroTargets:
    if targets is not None:
        t = targets
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
    targets = await resolve_targets(session, user_id=user_id, targets=options.targets)
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


def _plan_week(
    foods: list[Food], *, targets: MacroTargets, options: PlanOptionsIn, pool: FoodPool, seed: int
) -> list[DayPlan]:
    """The domain's week planner (variety: a main food at most twice a week)."""
    request = meal_planner.PlanRequest(
        targets=targets, meals=options.meals, food_filter=food_filter(pool, options), seed=seed
    )
    return list(weekly_plan.plan_week(foods, request).days)


def plan_out(row: PersonalPlan) -> PersonalPlanOut:
    return PersonalPlanOut(
        id=row.id,
        start_date=row.start_date,
        created_at=row.created_at,
        targets=TargetsOut.model_validate(row.plan["targets"]),
        options=PlanOptionsIn.model_validate(row.params),
        days=[PlanDayOut.model_validate(d) for d in row.plan["days"]],
    )


async def create_personal_plan(
    *, session: AsyncSession, pool: FoodPool, user_id: UUID, data: PersonalPlanIn
) -> PersonalPlanOut:
    targets = await resolve_targets(session, user_id=user_id, targets=data.targets)
    tz = await profile_service.timezone_of(session, user_id=user_id)
    start = data.start_date or profile_service.today_in(tz)
    foods = await pool.foods(session)
    seed = seed_of(data)
    days = await asyncio.to_thread(
        _plan_week, foods, targets=targets, options=data, pool=pool, seed=seed
    )
    day_models = [
        PlanDayOut(**day_out(d).model_dump(), day=start + timedelta(days=i))
        for i, d in enumerate(days)
    ]
    options = data.model_dump(mode="json", by_alias=True, exclude={"start_date"})
    options["seed"] = seed
    row = PersonalPlan(
        id=uuid4(),
        user_id=user_id,
        start_date=start,
        params=options,
        plan={
            "targets": targets_out(targets).model_dump(mode="json", by_alias=True),
            "days": [d.model_dump(mode="json", by_alias=True) for d in day_models],
        },
        created_at=datetime.now(UTC),
    )
    await repository.add(session, row)
    await session.commit()
    return plan_out(row)


async def get_personal_plan(
    *, session: AsyncSession, user_id: UUID, plan_id: UUID
) -> PersonalPlanOut | None:
    row = await repository.get(session, user_id=user_id, plan_id=plan_id)
    return plan_out(row) if row is not None else None


async def list_personal_plans(
    *, session: AsyncSession, user_id: UUID, params: PageParams
) -> Page[PersonalPlanSummary]:
    rows, total = await repository.page(
        session, user_id=user_id, offset=params.offset, limit=params.limit
    )
    items = [
        PersonalPlanSummary(
            id=r.id,
            start_date=r.start_date,
            created_at=r.created_at,
            targets=TargetsOut.model_validate(r.plan["targets"]),
        )
        for r in rows
    ]
    return Page[PersonalPlanSummary].of(items, params, total)


async def validate_plan(
    *, session: AsyncSession, user_id: UUID, data: MealPlanValidateIn
) -> MealPlanValidationOut:
    """Totals per day from the catalogue, judged by the domain's norms."""
    targets = await resolve_targets(session, user_id=user_id, targets=data.targets)
    ids = [i.food_id for d in data.days for m in d.meals for i in m.items]
    rows = await food_service.get_known(session, ids, path=lambda _: "body.days")
    foods = {food_id: to_domain(row) for food_id, row in rows.items()}
    day_totals = [
        NutrientTotals.sum(
            Meal.of(
                m.name, m.slot, (PlanItem.of(foods[i.food_id], i.grams) for i in m.items)
            ).totals
            for m in d.meals
        )
        for d in data.days
    ]
    profile = await profile_service.get_profile(session, user_id=user_id)
    result = plan_validation.validate_plan(
        day_totals, targets=targets, weight_kg=profile.weight_kg if profile else None
    )
    return MealPlanValidationOut(
        ok=result.ok,
        targets=targets_out(targets),
        days=[
            DayValidationOut(
                day_index=d.day,
                totals=totals_out(totals),
                checks=[
                    NutrientCheckOut(
                        nutrient=c.nutrient,
                        unit=c.unit,
                        target=c.target,
                        actual=c.actual,
                        low=c.low,
                        high=c.high,
                        status=c.status,
                        source=c.source,
                    )
                    for c in d.checks
                ],
                violations=[
                    ViolationOut(
                        day_index=v.day,
                        nutrient=v.nutrient,
                        status=v.status,
                        severity=v.severity,
                        message=v.message,
                        suggestion=v.suggestion,
                    )
                    for v in d.violations
                ],
            )
            for d, totals in zip(result.days, day_totals, strict=True)
        ],
    )
