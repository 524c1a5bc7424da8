"""GDPR erasure: every row of a user in every training table (identity.user.deleted.v1)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.gdpr import erase_user_rows
from training.db import Base, import_models


async def erase_user(session: AsyncSession, user_id: UUID) -> dict[str, int]:
    """In the caller's transaction (the identity.user consumer, with its inbox mark). Tables
    are found by their ``user_id`` column, so a new table is covered without code here."""
    import_models()
    return await erase_user_rows(session, Base.metadata, user_id)
