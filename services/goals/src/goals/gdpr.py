"""GDPR erasure: every row of a user in every goals table (identity.user.deleted.v1)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.gdpr import erase_user_rows
from goals.db import Base, import_models


async def erase_user(session: AsyncSession, user_id: UUID) -> None:
    """Runs in the caller's (inbox) transaction."""
    import_models()
    await erase_user_rows(session, Base.metadata, user_id)
