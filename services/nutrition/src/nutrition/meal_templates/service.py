"""Use cases of admin meal templates (every write audited)."""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.audit import AuditContext
from fitness_platform.pagination import Page, PageParams
from nutrition.foods import repository as food_repository
from nutrition.foods import service as food_service
from nutrition.foods.models import Food
from nutrition.meal_templates import repository
from nutrition.meal_templates.models import MealTemplate
from nutrition.meal_templates.schemas import MealTemplateIn, MealTemplateOut, TemplateItemOut


def _out(row: MealTemplate, foods: dict[int, Food]) -> MealTemplateOut:
    items = []
    for item in row.items:
        food = foods.get(int(item["foodId"]))
        grams = float(item["grams"])
        items.append(
            TemplateItemOut(
                food_id=int(item["foodId"]),
                grams=grams,
                description=food.description if food else None,
                kcal=round(food.kcal * grams / 100.0, 1) if food else None,
            )
        )
    return MealTemplateOut(
        id=row.id,
        name=row.name,
        slot=row.slot,
        items=items,
        kcal=round(sum(i.kcal or 0.0 for i in items), 1),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _check_foods(session: AsyncSession, data: MealTemplateIn) -> dict[int, Food]:
    ids = [i.food_id for i in data.items]
    return await food_service.get_known(
        session, ids, path=lambda food_id: f"body.items.{ids.index(food_id)}.foodId"
    )


def _items(data: MealTemplateIn) -> list[dict[str, float | int]]:
    return [{"foodId": i.food_id, "grams": i.grams} for i in data.items]


async def list_templates(*, session: AsyncSession, params: PageParams) -> Page[MealTemplateOut]:
    rows, total = await repository.page(session, offset=params.offset, limit=params.limit)
    ids = [int(i["foodId"]) for r in rows for i in r.items]
    foods = await food_repository.get_many(session, ids)
    return Page[MealTemplateOut].of([_out(r, foods) for r in rows], params, total)


async def get_template(*, session: AsyncSession, template_id: UUID) -> MealTemplateOut | None:
    row = await repository.get(session, template_id)
    if row is None:
        return None
    foods = await food_repository.get_many(session, [int(i["foodId"]) for i in row.items])
    return _out(row, foods)


async def create(
    *, session: AsyncSession, data: MealTemplateIn, audit: AuditContext
) -> MealTemplateOut:
    foods = await _check_foods(session, data)
    row = MealTemplate(id=uuid4(), name=data.name, slot=data.slot, items=_items(data))
    await repository.add(session, row)
    await audit.record(
        session,
        action="meal_template.create",
        target=f"meal_template:{row.id}",
        details={"name": row.name},
    )
    await session.commit()
    await session.refresh(row)
    return _out(row, foods)


async def update(
    *, session: AsyncSession, template_id: UUID, data: MealTemplateIn, audit: AuditContext
) -> MealTemplateOut | None:
    row = await repository.get(session, template_id)
    if row is None:
        return None
    foods = await _check_foods(session, data)
    row.name, row.slot, row.items = data.name, data.slot, _items(data)
    await audit.record(
        session,
        action="meal_template.update",
        target=f"meal_template:{row.id}",
        details={"name": row.name},
    )
    await session.commit()
    await session.refresh(row)
    return _out(row, foods)


async def delete(*, session: AsyncSession, template_id: UUID, audit: AuditContext) -> bool:
    row = await repository.get(session, template_id)
    if row is None:
        return False
    await repository.remove(session, row)
    await audit.record(
        session,
        action="meal_template.delete",
        target=f"meal_template:{template_id}",
        details={"name": row.name},
    )
    await session.commit()
    return True
