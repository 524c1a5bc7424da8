"""Subscribers (all through the platform's idempotent ``consume``: inbox mark + effect in one
transaction, commit after the effect, DLQ after bounded retries):

- ``progress.profiles`` on identity.user: the user_profiles read model and, in the same group so
  a user's events stay ordered (a late profile update cannot resurrect a deleted user), the GDPR
  erasure of rows and S3 objects;
- ``progress.workouts`` on training.workout, ``progress.intake`` on nutrition.intake and
  ``progress.targets`` on nutrition.targets: the read models the summaries and reports use.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.identity import UserDeletedV1
from fitness_contracts.topics import (
    IDENTITY_USER,
    NUTRITION_INTAKE,
    NUTRITION_TARGETS,
    TRAINING_WORKOUT,
)
from fitness_platform.events import EventEnvelope, EventHandler, consume
from fitness_platform.projections.user_profiles import apply_user_event
from progress import gdpr
from progress.activity import service as activity_service
from progress.settings import ProgressSettings
from progress.storage import ChartStore

PROFILES_CONSUMER = "profiles"


def user_handler(store: ChartStore) -> EventHandler:
    async def on_user_event(session: AsyncSession, envelope: EventEnvelope) -> None:
        event = envelope.parse()
        if isinstance(event, UserDeletedV1):
            await gdpr.erase_user(session, event.user_id, store=store)
            return
        await apply_user_event(session, envelope)

    return on_user_event


def register(
    broker: KafkaBroker,
    *,
    settings: ProgressSettings,
    session_factory: async_sessionmaker[AsyncSession],
    store: ChartStore,
) -> list[Any]:
    subscriptions: list[tuple[str, str, EventHandler]] = [
        (IDENTITY_USER, PROFILES_CONSUMER, user_handler(store)),
        (TRAINING_WORKOUT, "workouts", activity_service.on_workout_event),
        (NUTRITION_INTAKE, "intake", activity_service.on_intake_event),
        (NUTRITION_TARGETS, "targets", activity_service.on_targets_event),
    ]
    return [
        consume(
            broker,
            topic,
            settings=settings,
            consumer=name,
            session_factory=session_factory,
            handler=handler,
        )
        for topic, name, handler in subscriptions
    ]
