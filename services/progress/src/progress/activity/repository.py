"""SQL of the read models (workouts, intake days, targets). Upserts apply an event only when it
is not older than the one applied last, so a replayed or late event never rolls a row back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from progress.activity.models import IntakeDay, NutritionTarget, Workout


async def upsert_workout(
    session: AsyncSession,
    *,
    workout_id: UUID,
    user_id: UUID,
    local_date: date,
    duration_min: int,
    kcal: float | None,
    deleted: bool,
    event_at: datetime,
) -> None:
    values = {
        "user_id": user_id,
        "local_date": local_date,
        "duration_min": duration_min,
        "kcal": kcal,
        "deleted": deleted,
        "event_at": event_at,
    }
    stmt = insert(Workout).values(workout_id=workout_id, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["workout_id"],
        set_=values,
        # Only for the same user (a forged id cannot move another user's workout), only newer
        # events, and never out of a tombstone.
        where=(Workout.user_id == stmt.excluded.user_id)
        & (Workout.event_at <= stmt.excluded.event_at)
        & Workout.deleted.is_(False),
    )
    await session.execute(stmt)


async def upsert_intake(
    session: AsyncSession,
    *,
    user_id: UUID,
    day: date,
    kcal: float,
    protein_g: float,
    fat_g: float,
    carbs_g: float,
    event_at: datetime,
) -> None:
    values = {
        "kcal": kcal,
        "protein_g": protein_g,
        "fat_g": fat_g,
        "carbs_g": carbs_g,
        "event_at": event_at,
    }
    stmt = insert(IntakeDay).values(user_id=user_id, day=day, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "day"],
        set_=values,
        where=IntakeDay.event_at <= stmt.excluded.event_at,
    )
    await session.execute(stmt)


async def upsert_target(
    session: AsyncSession, *, user_id: UUID, daily_calories: float, tdee: float, event_at: datetime
) -> None:
    values = {"daily_calories": daily_calories, "tdee": tdee, "event_at": event_at}
    stmt = insert(NutritionTarget).values(user_id=user_id, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id"],
        set_=values,
        where=NutritionTarget.event_at <= stmt.excluded.event_at,
    )
    await session.execute(stmt)


async def target(session: AsyncSession, user_id: UUID) -> NutritionTarget | None:
    return await session.get(NutritionTarget, user_id)


async def intake_days(
    session: AsyncSession, user_id: UUID, start: date, end: date
) -> Sequence[IntakeDay]:
    stmt = (
        select(IntakeDay)
        .where(IntakeDay.user_id == user_id, IntakeDay.day.between(start, end))
        .order_by(IntakeDay.day)
    )
    return (await session.execute(stmt)).scalars().all()


async def workouts(
    session: AsyncSession, user_id: UUID, start: date, end: date
) -> Sequence[Workout]:
    stmt = (
        select(Workout)
        .where(
            Workout.user_id == user_id,
            Workout.local_date.between(start, end),
            Workout.deleted.is_(False),
        )
        .order_by(Workout.local_date)
    )
    return (await session.execute(stmt)).scalars().all()
