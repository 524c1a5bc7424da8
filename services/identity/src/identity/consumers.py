"""Activity from domain events: any event carrying a user id marks that user active that day.

One consumer group per topic (``identity.activity-<topic>``, the platform's ``consume`` helper:
inbox row + effect in one transaction, commit after the effect, DLQ after bounded retries), so
an event delivered twice counts once. The day is the UTC date of the event's ``ce_time``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts import topics
from fitness_contracts.identity import UserDeletedV1
from fitness_platform.events import EventEnvelope, consume
from fitness_platform.settings import ServiceSettings
from identity.activity import repository as activity_repo
from identity.activity.service import record_activity

log = logging.getLogger(__name__)

ACTIVITY_TOPICS = (
    topics.NUTRITION_INTAKE,
    topics.NUTRITION_TARGETS,
    topics.TRAINING_WORKOUT,
    topics.PROGRESS_WEIGHT,
    topics.GOALS_GOAL,
    topics.MEDIA_ASSET,
    topics.IDENTITY_USER,
)
# Processed ids are kept well past Kafka's default 7-day retention; a replay older than that
# would only re-insert (user, day) rows that already exist, so nothing is counted twice anyway.
INBOX_RETENTION = timedelta(days=30)

# Events that are not something the user did (an erasure must not mark anyone active).
NOT_ACTIVITY = frozenset({UserDeletedV1.event_type})


def consumer_name(topic: str) -> str:
    return f"activity-{topic}"


def _user_id(envelope: EventEnvelope) -> uuid.UUID | None:
    """``userId`` of the payload (contracts' camelCase), else the CloudEvents subject."""
    for candidate in (envelope.data.get("userId"), envelope.meta.subject):
        if isinstance(candidate, str):
            try:
                return uuid.UUID(candidate)
            except ValueError:
                continue
    return None


def _activity_day(envelope: EventEnvelope, today: date) -> date:
    at = envelope.meta.time
    if at is None:
        return today
    day = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date()
    # A producer clock ahead of ours must not create activity in the future.
    return min(day, today)


async def on_domain_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    """Handler for every activity topic (runs inside the inbox transaction)."""
    if envelope.meta.type in NOT_ACTIVITY:
        return
    user_id = _user_id(envelope)
    if user_id is None:
        log.info(
            "event without a user id: no activity",
            extra={"ce_type": envelope.meta.type, "ce_id": str(envelope.meta.id)},
        )
        return
    await record_activity(session, user_id, _activity_day(envelope, datetime.now(UTC).date()))


def group_names(service_name: str, topic_names: tuple[str, ...] = ACTIVITY_TOPICS) -> list[str]:
    """The inbox ``consumer`` values the platform's ``consume`` uses: the group ids."""
    return [f"{service_name}.{consumer_name(topic)}" for topic in topic_names]


async def prune_inbox(
    session_factory: async_sessionmaker[AsyncSession], *, service_name: str
) -> int:
    async with session_factory() as session, session.begin():
        return await activity_repo.prune_inbox(
            session, consumers=group_names(service_name), older_than=INBOX_RETENTION
        )


def register(
    broker: KafkaBroker,
    *,
    settings: ServiceSettings,
    session_factory: async_sessionmaker[AsyncSession],
    topic_names: tuple[str, ...] = ACTIVITY_TOPICS,
) -> list[Any]:
    return [
        consume(
            broker,
            topic,
            settings=settings,
            consumer=consumer_name(topic),
            session_factory=session_factory,
            handler=on_domain_event,
        )
        for topic in topic_names
    ]
