"""Queries on the profile read model."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nutrition.profiles.models import UserProfile


async def get(
    session: AsyncSession, user_id: UUID, *, for_update: bool = False
) -> UserProfile | None:
    stmt = select(UserProfile).where(UserProfile.user_id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def ensure(session: AsyncSession, user_id: UUID) -> None:
    """Create an empty row (registration) unless one exists."""
    await session.execute(
        insert(UserProfile)
        .values(user_id=user_id)
        .on_conflict_do_nothing(index_elements=["user_id"])
    )


async def upsert(session: AsyncSession, user_id: UUID, values: dict[str, Any]) -> None:
    stmt = insert(UserProfile).values(user_id=user_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_=values))


async def timezone_of(session: AsyncSession, user_id: UUID) -> str | None:
    stmt = select(UserProfile.timezone).where(UserProfile.user_id == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()
