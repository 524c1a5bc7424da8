"""GDPR erasure of a user's nutrition data (``identity.user.deleted.v1``)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.gdpr import erase_user_rows
from nutrition.db import Base, import_models


async def erase_user(session: AsyncSession, user_id: UUID) -> None:
    """The platform's erasure over nutrition's complete metadata, in the caller's transaction
    (the deletion consumer's, with its inbox mark): the ``erase`` the consumers pass around."""
    import_models()
    await erase_user_rows(session, Base.metadata, user_id)
