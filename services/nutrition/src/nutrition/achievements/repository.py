"""Queries on achievements (insert-once via the unique constraint)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nutrition.achievements.models import Achievement


async def insert_once(
    session: AsyncSession,
    *,
    user_id: UUID,
    code: str,
    week_start: date,
    details: dict[str, Any] | None,
) -> Achievement | None:
    """The new row, or None when (user, code, week) was already unlocked."""
    stmt = (
        insert(Achievement)
        .values(id=uuid4(), user_id=user_id, code=code, week_start=week_start, details=details)
        .on_conflict_do_nothing(index_elements=["user_id", "code", "week_start"])
        .returning(Achievement)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_week(session: AsyncSession, *, user_id: UUID, week_start: date) -> list[Achievement]:
    stmt = (
        select(Achievement)
        .where(Achievement.user_id == user_id, Achievement.week_start == week_start)
        .order_by(Achievement.code)
    )
    return list((await session.execute(stmt)).scalars())


async def page(
    session: AsyncSession, *, user_id: UUID, offset: int, limit: int
) -> tuple[list[Achievement], int]:
    where = Achievement.user_id == user_id
    total = (
        await session.execute(select(func.count()).select_from(Achievement).where(where))
    ).scalar_one()
    stmt = (
        select(Achievement)
        .where(where)
        .order_by(Achievement.week_start.desc(), Achievement.code)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), int(total)
