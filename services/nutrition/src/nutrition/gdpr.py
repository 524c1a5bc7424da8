"""GDPR erasure: every row of a user in every nutrition table (identity.user.deleted.v1)."""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.outbox import OUTBOX
from nutrition.db import Base, import_models

log = logging.getLogger(__name__)


async def erase_user(session: AsyncSession, user_id: UUID) -> None:
    """Runs in the caller's transaction (the platform's deletion consumer, with its inbox mark)."""
    import_models()
    for table in reversed(Base.metadata.sorted_tables):
        if "user_id" in table.c:
            await session.execute(delete(table).where(table.c.user_id == user_id))
    # Already-published events keyed by this user are history we no longer need to keep.
    await session.execute(
        delete(OUTBOX).where(OUTBOX.c.key == str(user_id), OUTBOX.c.published_at.is_not(None))
    )
    log.info("user data erased", extra={"erased_user_id": str(user_id)})
