"""/nutrition/meal-suggestion, /nutrition/personal-plan, /nutrition/meal-plan/validate."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from fitness_platform.problems import NotFound, problem_responses
from nutrition.dependencies import AUTH_RESPONSES
from nutrition.foods.dependencies import FoodPoolDep
from nutrition.plans import service
from nutrition.plans.schemas import (
    DayPlanOut,
    MealPlanValidateIn,
    MealPlanValidationOut,
    MealSuggestionIn,
    PersonalPlanIn,
    PersonalPlanOut,
    PersonalPlanSummary,
)

router = APIRouter(prefix="/nutrition", tags=["plans"], responses=AUTH_RESPONSES)


@router.post("/meal-suggestion", responses=problem_responses(409))
async def suggest_meals(
    body: MealSuggestionIn, user: CurrentUserDep, session: SessionDep, pool: FoodPoolDep
) -> DayPlanOut:
    """One day of meals from the catalogue hitting the targets (kcal ±5 %, macros ±10 % when
    possible; otherwise the closest plan with `reasons`). Foods with an excluded allergen, or
    whose ingredients are unknown, are never used when `allergens` is given."""
    return await service.suggest_meals(session=session, pool=pool, user_id=user.id, options=body)


@router.post(
    "/personal-plan", status_code=status.HTTP_201_CREATED, responses=problem_responses(409)
)
async def create_personal_plan(
    body: PersonalPlanIn,
    user: CurrentUserDep,
    session: SessionDep,
    pool: FoodPoolDep,
    response: Response,
) -> PersonalPlanOut:
    """Seven days of meals (same options as /meal-suggestion), stored for the user."""
    plan = await service.create_personal_plan(
        session=session, pool=pool, user_id=user.id, data=body
    )
    response.headers["Location"] = f"/nutrition/personal-plan/{plan.id}"
    return plan


@router.get("/personal-plan")
async def list_personal_plans(
    user: CurrentUserDep, session: SessionDep, page: PageDep
) -> Page[PersonalPlanSummary]:
    return await service.list_personal_plans(session=session, user_id=user.id, params=page)


@router.get("/personal-plan/{plan_id}", responses=problem_responses(404))
async def get_personal_plan(
    plan_id: UUID, user: CurrentUserDep, session: SessionDep
) -> PersonalPlanOut:
    plan = await service.get_personal_plan(session=session, user_id=user.id, plan_id=plan_id)
    if plan is None:
        raise NotFound("No such personal plan.")
    return plan


@router.post("/meal-plan/validate", responses=problem_responses(409))
async def validate_meal_plan(
    body: MealPlanValidateIn, user: CurrentUserDep, session: SessionDep
) -> MealPlanValidationOut:
    """Judge 1–7 days of meals against the targets and dietary norms (AMDR, saturated fat,
    sugars, fibre, sodium); each violation comes with a concrete suggestion."""
    return await service.validate_plan(session=session, user_id=user.id, data=body)
