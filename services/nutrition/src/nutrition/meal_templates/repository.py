"""Queries on meal templates."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nutrition.meal_templates.models import MealTemplate


async def page(session: AsyncSession, *, offset: int, limit: int) -> tuple[list[MealTemplate], int]:
    total = (await session.execute(select(func.count()).select_from(MealTemplate))).scalar_one()
    stmt = (
        select(MealTemplate)
        .order_by(MealTemplate.name, MealTemplate.id)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), int(total)


async def get(session: AsyncSession, template_id: UUID) -> MealTemplate | None:
    return await session.get(MealTemplate, template_id)


async def add(session: AsyncSession, row: MealTemplate) -> None:
    session.add(row)
    await session.flush()


async def remove(session: AsyncSession, row: MealTemplate) -> None:
    await session.delete(row)
    await session.flush()
