"""Queries on the weights read model."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from training.weights.models import Weight


async def upsert(session: AsyncSession, *, user_id: UUID, day: date, weight_kg: float) -> None:
    """A second weigh-in for the same day replaces the first (progress keeps one per day)."""
    stmt = insert(Weight).values(user_id=user_id, date=day, weight_kg=weight_kg)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id", "date"],
            set_={"weight_kg": stmt.excluded.weight_kg, "updated_at": func.now()},
        )
    )


async def remove(session: AsyncSession, *, user_id: UUID, day: date) -> None:
    await session.execute(delete(Weight).where(Weight.user_id == user_id, Weight.date == day))


async def latest_on_or_before(
    session: AsyncSession, *, user_id: UUID, day: date
) -> tuple[date, float] | None:
    stmt = (
        select(Weight.date, Weight.weight_kg)
        .where(Weight.user_id == user_id, Weight.date <= day)
        .order_by(Weight.date.desc())
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], float(row[1])) if row is not None else None


async def next_after(session: AsyncSession, *, user_id: UUID, day: date) -> date | None:
    """The first weigh-in day after ``day``: workouts from then on use that one."""
    stmt = select(func.min(Weight.date)).where(Weight.user_id == user_id, Weight.date > day)
    return (await session.execute(stmt)).scalar_one_or_none()
