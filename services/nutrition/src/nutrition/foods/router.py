"""Public catalogue routes: /nutrition/foods (ranked search) and /nutrition/foods/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from fitness_platform.problems import NotFound, problem_responses
from nutrition.dependencies import AUTH_RESPONSES
from nutrition.foods import service
from nutrition.foods.schemas import Allergen, DietTag, FoodDetail, FoodSummary
from nutrition.validation import SearchText

router = APIRouter(prefix="/nutrition/foods", tags=["foods"], responses=AUTH_RESPONSES)

FoodId = Annotated[int, Path(ge=1, le=2**63 - 1, description="catalogue food id")]


@router.get("")
async def search_foods(
    user: CurrentUserDep,
    session: SessionDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query(description="words; prefixes match")] = None,
    tag: Annotated[
        list[DietTag] | None, Query(description="diet tags the food must have (all)")
    ] = None,
    allergen_free: Annotated[
        list[Allergen] | None,
        Query(
            alias="allergenFree",
            description="allergens the food must not contain; foods whose ingredients are "
            "unknown (composite) are left out too",
        ),
    ] = None,
) -> Page[FoodSummary]:
    """Full-text search ranked exact name first, then name prefix, then text rank."""
    return await service.search(
        session=session,
        q=q.strip() if q and q.strip() else None,
        tags=tag or [],
        allergen_free=allergen_free or [],
        params=page,
    )


@router.get("/{food_id}", responses=problem_responses(404))
async def get_food(food_id: FoodId, user: CurrentUserDep, session: SessionDep) -> FoodDetail:
    food = await service.detail(session=session, food_id=food_id)
    if food is None:
        raise NotFound("No such food.")
    return food
