"""GDPR erasure on identity.user.deleted.v1: every progress row and every S3 object of the user."""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.gdpr import erase_user_rows
from progress.db import Base, import_models
from progress.storage import ChartStore

log = logging.getLogger(__name__)


async def erase_user(session: AsyncSession, user_id: UUID, *, store: ChartStore) -> None:
    """Runs in the consumer's inbox transaction. Objects go first: if S3 fails the handler
    raises, the rows stay, and the redelivered event tries both again (deleting is idempotent)."""
    objects = await store.erase_user(user_id)
    import_models()
    rows = await erase_user_rows(session, Base.metadata, user_id)
    log.info(
        "progress data erased",
        extra={"erased_user_id": str(user_id), "objects": objects, "rows": sum(rows.values())},
    )
