"""/nutrition/meal-suggestion, /nutrition/personal-plan, /nutrition/meal-plan/validate."""

from __future__ import annotations

from fastapi import APIRouter

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.problems import problem_responses
from nutrition.dependencies import AUTH_RESPONSES
from nutrition.foods.dependencies import FoodPoolDep
from nutrition.plans import service
from nutrition.plans.schemas import DayPlanOut, MealSuggestionIn

router = APIRouter(prefix="/nutrition", tags=["plans"], responses=AUTH_RESPONSES)


@router.post("/meal-suggestion", responses=problem_responses(409))
async def suggest_meals(
    body: MealSuggestionIn, user: CurrentUserDep, session: SessionDep, pool: FoodPoolDep
) -> DayPlanOut:
    """One day of meals from the catalogue hitting the targets (kcal ±5 %, macros ±10 % when
    possible; otherwise the closest plan with `reasons`). Foods with an excluded allergen, or
    whose ingredients are unknown, are never used when `allergens` is given."""
    return await service.suggest_meals(session=session, pool=pool, user_id=user.id, options=body)
