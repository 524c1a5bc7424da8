"""Queries on workout templates."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from training.templates.models import WorkoutTemplate


async def page(
    session: AsyncSession, *, level: str | None, goal: str | None, offset: int, limit: int
) -> tuple[list[WorkoutTemplate], int]:
    where: list[ColumnElement[bool]] = []
    if level is not None:
        where.append(WorkoutTemplate.level == level)
    if goal is not None:
        where.append(WorkoutTemplate.goal == goal)
    total = (
        await session.execute(select(func.count()).select_from(WorkoutTemplate).where(*where))
    ).scalar_one()
    stmt = (
        select(WorkoutTemplate)
        .where(*where)
        .order_by(WorkoutTemplate.name, WorkoutTemplate.id)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), int(total)


async def get(session: AsyncSession, template_id: UUID) -> WorkoutTemplate | None:
    return await session.get(WorkoutTemplate, template_id)


async def name_taken(session: AsyncSession, name: str, *, other_than: UUID | None = None) -> bool:
    stmt = select(WorkoutTemplate.id).where(func.lower(WorkoutTemplate.name) == name.lower())
    if other_than is not None:
        stmt = stmt.where(WorkoutTemplate.id != other_than)
    return (await session.execute(stmt)).first() is not None


async def add(session: AsyncSession, row: WorkoutTemplate) -> None:
    session.add(row)
    await session.flush()


async def remove(session: AsyncSession, row: WorkoutTemplate) -> None:
    await session.delete(row)
    await session.flush()
