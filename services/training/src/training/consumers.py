"""Subscribers: ``identity.user`` (profile read model + erasure) and ``progress.weight``
(weights read model), both re-estimating past workouts whose weight changed.

One group per topic through the platform's idempotent ``consume`` (inbox + effect in one
transaction, commit after the effect, DLQ after bounded retries). Erasure runs in the same
group as the profile projection: only within one group are a user's events ordered, so a late
profile update can never resurrect a deleted user. Re-estimation is itself idempotent: a
replayed event finds the estimates already right and emits nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.progress import WeightDeletedV1, WeightRecordedV1
from fitness_contracts.topics import IDENTITY_USER, PROGRESS_WEIGHT
from fitness_platform.events import EventEnvelope, consume
from fitness_platform.projections.user_profiles import apply_user_event
from fitness_platform.settings import ServiceSettings
from training import gdpr
from training.weights import service as weight_service
from training.workouts import service as workout_service

log = logging.getLogger(__name__)

USERS_CONSUMER = "users"
WEIGHTS_CONSUMER = "weights"
# Workouts whose estimate used no weigh-in: a new profile weight is the best they can get.
UNMEASURED = ("profile", "default")


async def on_user_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    change = await apply_user_event(session, envelope)
    if change is None or change.kind == "stale":
        return
    if change.kind == "deleted":
        counts = await gdpr.erase_user(session, change.user_id)
        log.info("training data erased", extra={"rows": sum(counts.values())})
        return
    if change.changed("weight_kg"):
        n = await workout_service.reestimate(
            session=session, user_id=change.user_id, weight_sources=UNMEASURED
        )
        log.info("profile weight changed", extra={"reestimated": n})


async def on_weight_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    event = envelope.parse()
    if isinstance(event, WeightRecordedV1):
        next_day = await weight_service.record(
            session, user_id=event.user_id, day=event.date, weight_kg=event.weight_kg
        )
    elif isinstance(event, WeightDeletedV1):
        next_day = await weight_service.forget(session, user_id=event.user_id, day=event.date)
    else:
        return
    # Only workouts from that day up to the next weigh-in used (or now use) this one.
    n = await workout_service.reestimate(
        session=session, user_id=event.user_id, start=event.date, end_before=next_day
    )
    log.info("weight changed", extra={"reestimated": n, "weight_date": event.date.isoformat()})


def register(
    broker: KafkaBroker,
    *,
    settings: ServiceSettings,
    session_factory: async_sessionmaker[AsyncSession],
) -> list[Any]:
    return [
        consume(
            broker,
            IDENTITY_USER,
            settings=settings,
            consumer=USERS_CONSUMER,
            session_factory=session_factory,
            handler=on_user_event,
        ),
        consume(
            broker,
            PROGRESS_WEIGHT,
            settings=settings,
            consumer=WEIGHTS_CONSUMER,
            session_factory=session_factory,
            handler=on_weight_event,
        ),
    ]
