"""Idempotent consumers: remember each processed ``ce_id`` per consumer (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert

from fitness_platform.outbox.tables import INBOX

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def seen_before(session: AsyncSession, *, event_id: UUID, consumer: str) -> bool:
    """Record ``(consumer, event_id)`` in the caller's transaction; True means "skip it".

    Run it in the same transaction as the effect: if the effect rolls back, so does the mark.
    """
    result = await session.execute(
        insert(INBOX)
        .values(consumer=consumer, event_id=event_id)
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        .returning(INBOX.c.event_id)
    )
    return result.first() is None


async def mark_seen(
    session: AsyncSession, *, event_ids: Sequence[UUID], consumer: str
) -> set[UUID]:
    """Record many ``(consumer, event_id)`` in ONE statement of the caller's transaction.

    Returns the ids that were new (the events to apply); the others were processed before.
    A batch's effects and its marks commit or roll back together, as with :func:`seen_before`.
    """
    if not event_ids:
        return set()
    result = await session.execute(
        insert(INBOX)
        .values([{"consumer": consumer, "event_id": event_id} for event_id in event_ids])
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        .returning(INBOX.c.event_id)
    )
    return set(result.scalars().all())


async def prune_inbox(session: AsyncSession, *, older_than: timedelta) -> int:
    """Forget processed ids older than ``older_than`` (keep it longer than the topic retention,
    or a replayed event would run twice). For a periodic job in the service's worker."""
    result = await session.execute(
        delete(INBOX).where(INBOX.c.processed_at < func.now() - older_than)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
