"""The one subscriber on ``identity.user``: GDPR erasure on ``identity.user.deleted.v1``.

Media keeps no profile read model, so the platform's idempotent ``consume`` helper (inbox + effect
in one transaction, commit after the effect, DLQ after bounded retries) with a handler that acts
only on deletion is all it needs. Other identity events are marked seen and ignored.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.identity import UserDeletedV1
from fitness_contracts.topics import IDENTITY_USER
from fitness_platform.events import EventEnvelope, consume
from media import gdpr
from media.settings import MediaSettings
from media.storage.store import ObjectStore

USERS_CONSUMER = "users"


def register(
    broker: KafkaBroker,
    *,
    settings: MediaSettings,
    session_factory: async_sessionmaker[AsyncSession],
    store: ObjectStore,
) -> Any:
    async def on_user_event(session: AsyncSession, envelope: EventEnvelope) -> None:
        event = envelope.parse()
        if isinstance(event, UserDeletedV1):
            await gdpr.erase_user(session, event.user_id, store=store)

    return consume(
        broker,
        IDENTITY_USER,
        settings=settings,
        consumer=USERS_CONSUMER,
        session_factory=session_factory,
        handler=on_user_event,
    )
