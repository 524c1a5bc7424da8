"""Admin CRUD of custom foods: /admin/content/foods (role admin; every write audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from fitness_platform.audit import AuditDep
from fitness_platform.auth import AdminDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from fitness_platform.problems import NotFound, problem_responses
from nutrition.dependencies import ADMIN_RESPONSES
from nutrition.foods import service
from nutrition.foods.dependencies import FoodPoolDep
from nutrition.foods.router import FoodId
from nutrition.foods.schemas import FoodDetail, FoodIn, FoodSummary
from nutrition.validation import SearchText

router = APIRouter(
    prefix="/admin/content/foods",
    tags=["admin-foods"],
    responses=ADMIN_RESPONSES,
)


@router.get("")
async def list_custom_foods(
    admin: AdminDep,
    session: SessionDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query()] = None,
) -> Page[FoodSummary]:
    return await service.search(
        session=session,
        q=q.strip() if q and q.strip() else None,
        tags=[],
        allergen_free=[],
        params=page,
        source="custom",
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_custom_food(
    body: FoodIn, audit: AuditDep, session: SessionDep, pool: FoodPoolDep, response: Response
) -> FoodDetail:
    food = await service.create_custom(session=session, data=body, audit=audit, pool=pool)
    response.headers["Location"] = f"/admin/content/foods/{food.id}"
    return food


@router.get("/{food_id}", responses=problem_responses(404))
async def get_custom_food(food_id: FoodId, admin: AdminDep, session: SessionDep) -> FoodDetail:
    food = await service.detail(session=session, food_id=food_id, source="custom")
    if food is None:
        raise NotFound("No such custom food.")
    return food


@router.put("/{food_id}", responses=problem_responses(404))
async def update_custom_food(
    food_id: FoodId, body: FoodIn, audit: AuditDep, session: SessionDep, pool: FoodPoolDep
) -> FoodDetail:
    food = await service.update_custom(
        session=session, food_id=food_id, data=body, audit=audit, pool=pool
    )
    if food is None:
        raise NotFound("No such custom food.")
    return food


@router.delete(
    "/{food_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
async def delete_custom_food(
    food_id: FoodId, audit: AuditDep, session: SessionDep, pool: FoodPoolDep
) -> Response:
    if not await service.delete_custom(session=session, food_id=food_id, audit=audit, pool=pool):
        raise NotFound("No such custom food.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
