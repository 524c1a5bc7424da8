"""Projection of training.workout and nutrition.intake / nutrition.targets events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.nutrition import IntakeLoggedV1, TargetsCalculatedV1
from fitness_contracts.training import WorkoutCreatedV1, WorkoutDeletedV1, WorkoutUpdatedV1
from fitness_platform.events import EventEnvelope
from progress.activity import repository


async def on_workout_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    event = envelope.parse()
    if isinstance(event, WorkoutCreatedV1 | WorkoutUpdatedV1):
        w = event.workout
        at = event.created_at if isinstance(event, WorkoutCreatedV1) else event.updated_at
        await repository.upsert_workout(
            session,
            workout_id=w.workout_id,
            user_id=w.user_id,
            local_date=w.local_date,
            duration_min=w.duration_min,
            kcal=w.calories_burned,
            deleted=False,
            event_at=at,
        )
    elif isinstance(event, WorkoutDeletedV1):
        # A tombstone: the workout stops counting, and a late update cannot bring it back.
        await repository.upsert_workout(
            session,
            workout_id=event.workout_id,
            user_id=event.user_id,
            local_date=event.local_date,
            duration_min=0,
            kcal=None,
            deleted=True,
            event_at=event.deleted_at,
        )


async def on_intake_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    event = envelope.parse()
    if isinstance(event, IntakeLoggedV1):
        t = event.day_totals
        await repository.upsert_intake(
            session,
            user_id=event.user_id,
            day=event.day,
            kcal=t.kcal,
            protein_g=t.protein_g,
            fat_g=t.fat_g,
            carbs_g=t.carbs_g,
            event_at=event.logged_at,
        )


async def on_targets_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    event = envelope.parse()
    if isinstance(event, TargetsCalculatedV1):
        await repository.upsert_target(
            session,
            user_id=event.user_id,
            daily_calories=event.daily_calories,
            tdee=event.tdee,
            event_at=event.calculated_at,
        )
