"""SQL for ``refresh_tokens`` and the single-use email tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.auth.models import EmailVerificationToken, PasswordResetToken, RefreshToken


async def insert(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    family_id: uuid.UUID,
    token_hash: str,
    expires_at: datetime,
) -> RefreshToken:
    row = RefreshToken(
        id=uuid.uuid4(),
        user_id=user_id,
        family_id=family_id,
        token_hash=token_hash,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row


async def get_for_update(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    """Lock the row so two concurrent refreshes with one token cannot both rotate it."""
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_rotated(
    session: AsyncSession, *, token_id: uuid.UUID, replaced_by: uuid.UUID, at: datetime
) -> None:
    stmt = (
        update(RefreshToken)
        .where(RefreshToken.id == token_id)
        .values(rotated_at=at, replaced_by=replaced_by)
    )
    await session.execute(stmt)


async def revoke_family(
    session: AsyncSession, *, family_id: uuid.UUID, user_id: uuid.UUID, at: datetime
) -> int:
    """Revoke every live token of a family (of this user); returns how many rows changed."""
    stmt = (
        update(RefreshToken)
        .where(
            RefreshToken.family_id == family_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=at)
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def revoke_all_for_user(session: AsyncSession, *, user_id: uuid.UUID, at: datetime) -> int:
    """Revoke every live refresh token of a user (password reset, account deletion)."""
    stmt = (
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


# ---- single-use email tokens (verification, password reset)

OneTimeTokenModel = type[EmailVerificationToken] | type[PasswordResetToken]
_T = TypeVar("_T", EmailVerificationToken, PasswordResetToken)


async def insert_one_time(
    session: AsyncSession,
    model: OneTimeTokenModel,
    *,
    user_id: uuid.UUID,
    token_hash: str,
    expires_at: datetime,
) -> None:
    session.add(
        model(id=uuid.uuid4(), user_id=user_id, token_hash=token_hash, expires_at=expires_at)
    )
    await session.flush()


async def get_one_time_for_update(
    session: AsyncSession, model: type[_T], token_hash: str
) -> _T | None:
    """Lock the row, so two concurrent uses of one token cannot both succeed."""
    stmt = select(model).where(model.token_hash == token_hash).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def use_all_one_time(
    session: AsyncSession, model: OneTimeTokenModel, *, user_id: uuid.UUID, at: datetime
) -> None:
    """Spend every open token of this kind of a user (the one used and its siblings)."""
    stmt = update(model).where(model.user_id == user_id, model.used_at.is_(None)).values(used_at=at)
    await session.execute(stmt)
