"""``add_event``: write one outgoing event in the caller's transaction."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import insert

from fitness_platform.logging import correlation_id_var
from fitness_platform.observability import current_traceparent
from fitness_platform.outbox.tables import OUTBOX

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from fitness_contracts.base import IntegrationEvent


async def add_event(
    session: AsyncSession,
    event: IntegrationEvent,
    *,
    key: str | uuid.UUID,
    subject: str | uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Queue ``event`` for publishing; it goes out only if the caller's transaction commits.

    ``key`` is the Kafka key (the user id, so a user's events stay ordered); ``subject`` the
    CloudEvents subject (defaults to the key). Returns the event id (``ce_id``).
    """
    cls = type(event)
    eid = event_id or uuid.uuid4()
    headers: dict[str, str] = {}
    if (cid := correlation_id_var.get()) is not None:
        headers["correlation_id"] = cid
    if (tp := current_traceparent()) is not None:
        headers["traceparent"] = tp
    await session.execute(
        insert(OUTBOX).values(
            event_id=eid,
            topic=cls.topic,
            key=str(key),
            event_type=cls.event_type,
            subject=str(subject if subject is not None else key),
            payload=event.model_dump(mode="json", by_alias=True),
            headers=headers,
        )
    )
    return eid
