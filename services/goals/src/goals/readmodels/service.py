"""Apply one event of another service to the read models; True when anything changed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.base import IntegrationEvent
from fitness_contracts.nutrition import IntakeLoggedV1, TargetsCalculatedV1
from fitness_contracts.progress import WeightDeletedV1, WeightRecordedV1
from fitness_contracts.training import WorkoutCreatedV1, WorkoutDeletedV1, WorkoutUpdatedV1
from goals.readmodels import repository


async def apply(session: AsyncSession, event: IntegrationEvent | None) -> bool:
    if isinstance(event, WeightRecordedV1):
        return await repository.upsert_weight(
            session,
            user_id=event.user_id,
            day=event.date,
            weight_kg=event.weight_kg,
            at=event.recorded_at,
        )
    if isinstance(event, WeightDeletedV1):
        return await repository.delete_weight(
            session, user_id=event.user_id, day=event.date, at=event.deleted_at
        )
    if isinstance(event, WorkoutCreatedV1 | WorkoutUpdatedV1):
        w = event.workout
        at = event.created_at if isinstance(event, WorkoutCreatedV1) else event.updated_at
        return await repository.upsert_workout(
            session,
            workout_id=w.workout_id,
            user_id=w.user_id,
            local_date=w.local_date,
            duration_min=w.duration_min,
            started_at=w.started_at,
            at=at,
        )
    if isinstance(event, WorkoutDeletedV1):
        return await repository.tombstone_workout(
            session,
            workout_id=event.workout_id,
            user_id=event.user_id,
            local_date=event.local_date,
            at=event.deleted_at,
        )
    if isinstance(event, IntakeLoggedV1):
        return await repository.upsert_intake(
            session,
            user_id=event.user_id,
            day=event.day,
            kcal=event.day_totals.kcal,
            at=event.logged_at,
        )
    if isinstance(event, TargetsCalculatedV1):
        return await repository.insert_target(
            session,
            calculation_id=event.calculation_id,
            user_id=event.user_id,
            kcal=event.daily_calories,
            at=event.calculated_at,
        )
    return False
