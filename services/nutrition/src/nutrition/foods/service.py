"""Use cases of the food catalogue: search, detail, admin CRUD of custom foods (audited)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.audit import AuditContext
from fitness_platform.pagination import Page, PageParams
from fitness_platform.problems import ProblemError
from nutrition.domain.food_groups import classify
from nutrition.domain.food_tags import derive_tags
from nutrition.foods import repository
from nutrition.foods.models import Food, Portion
from nutrition.foods.pool import FoodPool
from nutrition.foods.schemas import FoodDetail, FoodIn, FoodSummary, Nutrients, PortionOut


def to_summary(food: Food) -> FoodSummary:
    return FoodSummary(
        id=food.id,
        description=food.description,
        food_group=food.food_group,
        source=food.source,
        per_100g=Nutrients(
            kcal=food.kcal,
            protein_g=food.protein_g,
            fat_g=food.fat_g,
            carbs_g=food.carbs_g,
            sat_fat_g=food.sat_fat_g,
            sugars_g=food.sugars_g,
            fiber_g=food.fiber_g,
            sodium_mg=food.sodium_mg,
        ),
        tags=sorted(food.tags),
        allergens=sorted(food.allergens),
    )


def to_detail(food: Food, portions: Sequence[Portion]) -> FoodDetail:
    return FoodDetail(
        **to_summary(food).model_dump(),
        portions=[PortionOut(amount=p.amount, unit=p.unit, grams=p.grams) for p in portions],
        composite=food.composite,
        updated_at=food.updated_at,
    )


async def get_known(
    session: AsyncSession, ids: Sequence[int], *, path: Callable[[int], str]
) -> dict[int, Food]:
    """The catalogue rows of ``ids``; a 422 naming every unknown id (at ``path(id)``) otherwise."""
    foods = await repository.get_many(session, ids)
    missing = sorted(set(ids) - foods.keys())
    if missing:
        raise ProblemError(
            422,
            detail="Unknown food ids: " + ", ".join(map(str, missing)),
            extra={
                "errors": [
                    {"path": path(m), "message": f"unknown food {m}", "type": "unknown_food"}
                    for m in missing
                ]
            },
        )
    return foods


async def search(
    *,
    session: AsyncSession,
    q: str | None,
    tags: Sequence[str],
    allergen_free: Sequence[str],
    params: PageParams,
    source: str | None = None,
) -> Page[FoodSummary]:
    rows, total = await repository.search(
        session,
        q=q,
        tags=tags,
        allergen_free=allergen_free,
        source=source,
        offset=params.offset,
        limit=params.limit,
    )
    return Page[FoodSummary].of([to_summary(r) for r in rows], params, total)


async def detail(
    *, session: AsyncSession, food_id: int, source: str | None = None
) -> FoodDetail | None:
    food = await repository.get(session, food_id, source=source)
    if food is None:
        return None
    return to_detail(food, await repository.portions(session, food_id))


def _apply(food: Food, data: FoodIn) -> None:
    derived = derive_tags(data.description, data.food_group)
    suitability = classify(data.description, data.food_group)
    n = data.per_100g
    food.description = data.description
    food.food_group = data.food_group
    food.kcal = n.kcal
    food.protein_g = n.protein_g
    food.fat_g = n.fat_g
    food.carbs_g = n.carbs_g
    food.sat_fat_g = n.sat_fat_g
    food.sugars_g = n.sugars_g
    food.fiber_g = n.fiber_g
    food.sodium_mg = n.sodium_mg
    food.tags = sorted(set(data.tags) if data.tags is not None else derived.tags)
    food.allergens = sorted(
        set(data.allergens) if data.allergens is not None else derived.allergens
    )
    # An admin who lists the allergens vouches for the ingredients.
    food.composite = derived.composite and data.allergens is None
    food.role = suitability.role
    food.slots = sorted(suitability.slots)


def _portions(food_id: int, data: FoodIn) -> list[Portion]:
    return [
        Portion(food_id=food_id, seq=i, amount=p.amount, unit=p.unit, grams=p.grams)
        for i, p in enumerate(data.portions, start=1)
    ]


async def create_custom(
    *, session: AsyncSession, data: FoodIn, audit: AuditContext, pool: FoodPool
) -> FoodDetail:
    food = Food(id=await repository.next_custom_id(session), source="custom")
    _apply(food, data)
    await repository.add(session, food)
    await repository.replace_portions(session, food.id, _portions(food.id, data))
    await audit.record(
        session,
        action="food.create",
        target=f"food:{food.id}",
        details={"description": food.description},
    )
    await session.commit()
    pool.invalidate()
    await session.refresh(food)
    return to_detail(food, await repository.portions(session, food.id))


async def update_custom(
    *, session: AsyncSession, food_id: int, data: FoodIn, audit: AuditContext, pool: FoodPool
) -> FoodDetail | None:
    food = await repository.get(session, food_id, source="custom")
    if food is None:
        return None
    _apply(food, data)
    await repository.replace_portions(session, food.id, _portions(food.id, data))
    await audit.record(
        session,
        action="food.update",
        target=f"food:{food.id}",
        details={"description": food.description},
    )
    await session.commit()
    pool.invalidate()
    await session.refresh(food)
    return to_detail(food, await repository.portions(session, food.id))


async def delete_custom(
    *, session: AsyncSession, food_id: int, audit: AuditContext, pool: FoodPool
) -> bool:
    food = await repository.get(session, food_id, source="custom")
    if food is None:
        return False
    await repository.delete_food(session, food)
    await audit.record(
        session,
        action="food.delete",
        target=f"food:{food_id}",
        details={"description": food.description},
    )
    await session.commit()
    pool.invalidate()
    return True
