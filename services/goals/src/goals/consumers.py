"""Subscribers: identity.user (profile read model + GDPR erasure) and the four topics whose
events move goals (progress.weight, training.workout, nutrition.intake, nutrition.targets).

Each runs through the platform's idempotent ``consume`` (inbox + effect in one transaction,
commit after the effect, DLQ after bounded retries), one group per topic. A relevant event
updates the read model and then re-evaluates the user's goals with the same code path as
POST /goals/auto-update, in the same transaction: a redelivered event is skipped by the inbox,
and a replayed one changes nothing because the read-model upserts are keyed (workout id, day)
and the achieved update is guarded.

Erasure is in the identity.user group, not the platform's separate deletion group: only
within one group are a user's events ordered, so a late profile update cannot resurrect a
deleted user.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.identity import UserDeletedV1
from fitness_contracts.topics import (
    IDENTITY_USER,
    NUTRITION_INTAKE,
    NUTRITION_TARGETS,
    PROGRESS_WEIGHT,
    TRAINING_WORKOUT,
)
from fitness_contracts.training import WorkoutCreatedV1, WorkoutUpdatedV1
from fitness_platform.events import EventEnvelope, consume
from fitness_platform.projections.user_profiles import apply_user_event
from goals import gdpr
from goals.readmodels import service as readmodels
from goals.settings import GoalsSettings
from goals.tracking import service as tracking

log = logging.getLogger(__name__)

# Consumer names → groups goals.<name>.
USERS = "users"
ACTIVITY_TOPICS = {
    PROGRESS_WEIGHT: "weights",
    TRAINING_WORKOUT: "workouts",
    NUTRITION_INTAKE: "intake",
    NUTRITION_TARGETS: "targets",
}


async def on_user_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    if envelope.meta.type == UserDeletedV1.event_type:
        event = envelope.parse()
        assert isinstance(event, UserDeletedV1)
        await gdpr.erase_user(session, event.user_id)
        return
    change = await apply_user_event(session, envelope)
    # The timezone decides which days are over, the profile weight stands in for weigh-ins.
    if change is not None and (change.changed("timezone") or change.changed("weight_kg")):
        await tracking.apply_progress(session, change.user_id)


async def on_activity_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    event = envelope.parse()
    if event is None:
        return  # a type this version does not know: nothing to project
    if await readmodels.apply(session, event):
        # training's created/updated events carry the user inside the workout snapshot
        user_id: UUID | None = (
            event.workout.user_id
            if isinstance(event, WorkoutCreatedV1 | WorkoutUpdatedV1)
            else getattr(event, "user_id", None)
        )
        if user_id is None:
            return
        changes = await tracking.apply_progress(session, user_id)
        if changes:
            log.info(
                "goals auto-updated",
                extra={"event_type": envelope.meta.type, "goals_changed": len(changes)},
            )


def register(
    broker: KafkaBroker,
    *,
    settings: GoalsSettings,
    session_factory: async_sessionmaker[AsyncSession],
) -> list[Any]:
    subscribers = [
        consume(
            broker,
            IDENTITY_USER,
            settings=settings,
            consumer=USERS,
            session_factory=session_factory,
            handler=on_user_event,
        )
    ]
    for topic, name in ACTIVITY_TOPICS.items():
        subscribers.append(
            consume(
                broker,
                topic,
                settings=settings,
                consumer=name,
                session_factory=session_factory,
                handler=on_activity_event,
            )
        )
    return subscribers
