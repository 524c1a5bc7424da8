"""Queries on diary entries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nutrition.diary.models import DiaryEntry


async def lock_day(session: AsyncSession, user_id: UUID, day: date) -> None:
    """Serialise writes to one user-day so each event carries totals that include every
    committed entry (transaction-scoped advisory lock)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"diary:{user_id}:{day.isoformat()}"},
    )


async def add(session: AsyncSession, row: DiaryEntry) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, *, user_id: UUID, entry_id: UUID) -> DiaryEntry | None:
    stmt = select(DiaryEntry).where(DiaryEntry.id == entry_id, DiaryEntry.user_id == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_day(session: AsyncSession, *, user_id: UUID, day: date) -> list[DiaryEntry]:
    stmt = (
        select(DiaryEntry)
        .where(DiaryEntry.user_id == user_id, DiaryEntry.day == day)
        .order_by(DiaryEntry.created_at, DiaryEntry.id)
    )
    return list((await session.execute(stmt)).scalars())


async def for_range(
    session: AsyncSession, *, user_id: UUID, start: date, end: date
) -> list[DiaryEntry]:
    """Entries with ``start <= day <= end``."""
    stmt = select(DiaryEntry).where(
        DiaryEntry.user_id == user_id, DiaryEntry.day >= start, DiaryEntry.day <= end
    )
    return list((await session.execute(stmt)).scalars())


async def remove(session: AsyncSession, row: DiaryEntry) -> None:
    await session.delete(row)
    await session.flush()


async def users_with_entries(session: AsyncSession, *, start: date, end: date) -> list[UUID]:
    stmt = (
        select(DiaryEntry.user_id)
        .where(DiaryEntry.day >= start, DiaryEntry.day <= end)
        .group_by(DiaryEntry.user_id)
        .order_by(DiaryEntry.user_id)
    )
    return list((await session.execute(stmt)).scalars())
