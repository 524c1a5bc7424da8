"""SQL for the ``users`` table."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.rows import class_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.users.models import User, UserRecord, UserStatus

# Composed once, not per request (composing cost ~3 % of GET /users/me's CPU).
_READ_BY_ID = (
    sql.SQL("SELECT {columns} FROM {table} WHERE id = %s")
    .format(
        columns=sql.SQL(", ").join(sql.Identifier(f.name) for f in fields(UserRecord)),
        table=sql.Identifier(User.__tablename__),
    )
    .as_bytes()
)


async def get_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def read_by_id(pool: AsyncConnectionPool, user_id: uuid.UUID) -> UserRecord | None:
    """The hot read of ``GET /users/…`` on the plain read pool (no session, autocommit)."""
    async with pool.connection() as conn:
        cursor = conn.cursor(row_factory=class_row(UserRecord))
        await cursor.execute(_READ_BY_ID, (user_id,), prepare=True)
        return await cursor.fetchone()


def _storable(value: str) -> bool:
    """False for strings PostgreSQL text cannot hold (NUL, lone surrogates): no row can match."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    if not _storable(email):
        return None
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def email_exists(session: AsyncSession, email: str) -> bool:
    if not _storable(email):
        return False
    stmt = select(User.id).where(func.lower(User.email) == email.strip().lower())
    return (await session.execute(stmt)).first() is not None


async def insert(session: AsyncSession, *, email: str, name: str, password_hash: str) -> User:
    """Insert and flush (raises IntegrityError on a duplicate email), returning server defaults."""
    user = User(id=uuid.uuid4(), email=email, name=name, password_hash=password_hash)
    session.add(user)
    await session.flush()
    await session.refresh(user)
    return user


async def set_password_hash(session: AsyncSession, user_id: uuid.UUID, password_hash: str) -> None:
    stmt = (
        update(User)
        .where(User.id == user_id)
        .values(password_hash=password_hash, updated_at=func.now())
    )
    await session.execute(stmt)


async def get_for_update(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """Lock the row: profile updates and deletion of one user are serialised."""
    stmt = select(User).where(User.id == user_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def update_fields(
    session: AsyncSession, user_id: uuid.UUID, values: Mapping[str, Any]
) -> None:
    """Set the given columns (already validated by the caller) and ``updated_at``."""
    stmt = update(User).where(User.id == user_id).values(**values, updated_at=func.now())
    await session.execute(stmt)


async def set_email_verified(session: AsyncSession, user_id: uuid.UUID) -> None:
    stmt = (
        update(User)
        .where(User.id == user_id, User.email_verified.is_(False))
        .values(email_verified=True, updated_at=func.now())
    )
    await session.execute(stmt)


async def deactivate(
    session: AsyncSession, user_id: uuid.UUID, *, scrubbed_email: str, at: datetime
) -> None:
    """Mark deleted and replace the email so the address can register again at once."""
    stmt = (
        update(User)
        .where(User.id == user_id)
        .values(
            status=UserStatus.DELETED.value,
            deleted_at=at,
            email=scrubbed_email,
            email_verified=False,
            updated_at=at,
        )
    )
    await session.execute(stmt)
