"""The weight a workout's estimate uses, and the read model's updates from progress.weight."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from training.domain.calories import BodyWeight, weight_on
from training.weights import repository


async def weight_for_day(
    session: AsyncSession, *, user_id: UUID, day: date, profile_weight_kg: float | None
) -> BodyWeight:
    """The latest weigh-in on or before ``day``, else the profile weight, else 70 kg."""
    latest = await repository.latest_on_or_before(session, user_id=user_id, day=day)
    return weight_on(day, [latest] if latest else [], profile_weight_kg)


async def record(
    session: AsyncSession, *, user_id: UUID, day: date, weight_kg: float
) -> date | None:
    """Store a weigh-in; returns the next later weigh-in day (the end of what it affects)."""
    await repository.upsert(session, user_id=user_id, day=day, weight_kg=weight_kg)
    return await repository.next_after(session, user_id=user_id, day=day)


async def forget(session: AsyncSession, *, user_id: UUID, day: date) -> date | None:
    await repository.remove(session, user_id=user_id, day=day)
    return await repository.next_after(session, user_id=user_id, day=day)
