"""SQL of the read models: idempotent upserts (newer state wins) and the loads evaluation needs."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.projections.user_profiles import get_profile
from goals.domain.facts import Facts, TargetChange, Workout
from goals.domain.trend import WeighIn
from goals.readmodels.models import CalorieTarget, IntakeDay, WeightEntry, WorkoutEntry


async def upsert_weight(
    session: AsyncSession, *, user_id: UUID, day: date, weight_kg: float, at: datetime
) -> bool:
    stmt = insert(WeightEntry).values(user_id=user_id, day=day, weight_kg=weight_kg, recorded_at=at)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "day"],
        set_={"weight_kg": stmt.excluded.weight_kg, "recorded_at": stmt.excluded.recorded_at},
        # A replayed older weigh-in never overwrites a newer one of the same day.
        where=WeightEntry.recorded_at <= stmt.excluded.recorded_at,
    )
    result = await session.execute(stmt.returning(WeightEntry.day))
    return result.first() is not None


async def delete_weight(session: AsyncSession, *, user_id: UUID, day: date, at: datetime) -> bool:
    stmt = delete(WeightEntry).where(
        WeightEntry.user_id == user_id, WeightEntry.day == day, WeightEntry.recorded_at <= at
    )
    result = await session.execute(stmt.returning(WeightEntry.day))
    return result.first() is not None


async def upsert_workout(
    session: AsyncSession,
    *,
    workout_id: UUID,
    user_id: UUID,
    local_date: date,
    duration_min: int,
    started_at: datetime,
    at: datetime,
) -> bool:
    """Created/updated (domain/workout_log.apply_snapshot): keyed by workout id, tombstones
    and newer snapshots win."""
    values = {
        "user_id": user_id,
        "local_date": local_date,
        "duration_min": duration_min,
        "started_at": started_at,
        "event_at": at,
    }
    stmt = insert(WorkoutEntry).values(workout_id=workout_id, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["workout_id"],
        set_={k: stmt.excluded[k] for k in values},
        where=(WorkoutEntry.deleted_at.is_(None))
        & (WorkoutEntry.event_at <= stmt.excluded.event_at)
        & (WorkoutEntry.user_id == stmt.excluded.user_id),
    )
    result = await session.execute(stmt.returning(WorkoutEntry.workout_id))
    return result.first() is not None


async def tombstone_workout(
    session: AsyncSession, *, workout_id: UUID, user_id: UUID, local_date: date, at: datetime
) -> bool:
    """Deleted (domain/workout_log.apply_delete): the row stays as a tombstone until erasure."""
    stmt = insert(WorkoutEntry).values(
        workout_id=workout_id,
        user_id=user_id,
        local_date=local_date,
        duration_min=0,
        started_at=at,
        event_at=at,
        deleted_at=at,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["workout_id"],
        set_={"deleted_at": stmt.excluded.deleted_at, "event_at": stmt.excluded.event_at},
        where=(WorkoutEntry.deleted_at.is_(None)) & (WorkoutEntry.user_id == user_id),
    )
    result = await session.execute(stmt.returning(WorkoutEntry.workout_id))
    return result.first() is not None


async def upsert_intake(
    session: AsyncSession, *, user_id: UUID, day: date, kcal: float, at: datetime
) -> bool:
    stmt = insert(IntakeDay).values(user_id=user_id, day=day, kcal=kcal, logged_at=at)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "day"],
        set_={"kcal": stmt.excluded.kcal, "logged_at": stmt.excluded.logged_at},
        where=IntakeDay.logged_at <= stmt.excluded.logged_at,
    )
    result = await session.execute(stmt.returning(IntakeDay.day))
    return result.first() is not None


async def insert_target(
    session: AsyncSession, *, calculation_id: UUID, user_id: UUID, kcal: float, at: datetime
) -> bool:
    stmt = (
        insert(CalorieTarget)
        .values(
            calculation_id=calculation_id, user_id=user_id, daily_calories=kcal, calculated_at=at
        )
        .on_conflict_do_nothing(index_elements=["calculation_id"])
        .returning(CalorieTarget.calculation_id)
    )
    return (await session.execute(stmt)).first() is not None


async def load_facts(session: AsyncSession, user_id: UUID) -> Facts:
    weigh_ins = (
        await session.execute(
            select(WeightEntry.day, WeightEntry.weight_kg).where(WeightEntry.user_id == user_id)
        )
    ).all()
    workouts = (
        await session.execute(
            select(
                WorkoutEntry.workout_id, WorkoutEntry.local_date, WorkoutEntry.duration_min
            ).where(WorkoutEntry.user_id == user_id, WorkoutEntry.deleted_at.is_(None))
        )
    ).all()
    intake = (
        await session.execute(
            select(IntakeDay.day, IntakeDay.kcal).where(IntakeDay.user_id == user_id)
        )
    ).all()
    targets = (
        await session.execute(
            select(CalorieTarget.calculated_at, CalorieTarget.daily_calories)
            .where(CalorieTarget.user_id == user_id)
            .order_by(CalorieTarget.calculated_at)
        )
    ).all()
    profile = await get_profile(session, user_id)
    return Facts(
        weigh_ins=tuple(WeighIn(day, kg) for day, kg in weigh_ins),
        workouts={wid: Workout(day, minutes) for wid, day, minutes in workouts},
        intake_kcal={day: kcal for day, kcal in intake},
        targets=tuple(TargetChange(at, kcal) for at, kcal in targets),
        profile_weight_kg=profile.weight_kg if profile is not None else None,
    )
