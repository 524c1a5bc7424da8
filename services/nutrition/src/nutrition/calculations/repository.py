"""Queries on saved calculations."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg import sql as psql
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.sync import Delta, DeltaSource, SyncCursor, read_delta_entities
from nutrition.calculations.models import Calculation

# GET /nutrition/me's read on the plain read pool, composed once (not per request).
_LATEST = (
    sql.SQL(
        "SELECT id, reason, input, result, created_at FROM {table} "
        "WHERE user_id = %s ORDER BY created_at DESC, id DESC LIMIT 1"
    )
    .format(table=sql.Identifier(Calculation.__tablename__))
    .as_bytes()
)


async def add(session: AsyncSession, row: Calculation) -> None:
    session.add(row)
    await session.flush()


async def latest(session: AsyncSession, user_id: UUID) -> Calculation | None:
    stmt = (
        select(Calculation)
        .where(Calculation.user_id == user_id)
        .order_by(Calculation.created_at.desc(), Calculation.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def read_latest(pool: AsyncConnectionPool, user_id: UUID) -> tuple[Any, ...] | None:
    """The latest saved calculation as ``(id, reason, input, result, created_at)``: the hot read
    of ``GET /nutrition/me`` (no session, autocommit, prepared)."""
    async with pool.connection() as conn:
        cursor = await conn.execute(_LATEST, (user_id,), prepare=True)
        return await cursor.fetchone()


async def get(session: AsyncSession, *, user_id: UUID, calculation_id: UUID) -> Calculation | None:
    stmt = select(Calculation).where(
        Calculation.id == calculation_id, Calculation.user_id == user_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    *,
    user_id: UUID,
    start: datetime | None,
    end: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[Calculation], int]:
    where = [Calculation.user_id == user_id]
    if start is not None:
        where.append(Calculation.created_at >= start)
    if end is not None:
        where.append(Calculation.created_at < end)
    total = (
        await session.execute(select(func.count()).select_from(Calculation).where(*where))
    ).scalar_one()
    stmt = (
        select(Calculation)
        .where(*where)
        .order_by(Calculation.created_at.desc(), Calculation.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), int(total)


# ?updatedSince=: which rows changed (ids only: the rows are loaded through the session, as the
# rest of this aggregate's reads are) and which were deleted.
_DELTA = DeltaSource(table="calculations", entity="calculation", columns=psql.SQL("id"))


async def changes(
    pool: AsyncConnectionPool,
    session: AsyncSession,
    *,
    user_id: UUID,
    cursor: SyncCursor,
    limit: int,
) -> tuple[list[Calculation], Delta]:
    """Rows written and ids deleted since ``cursor``, in change order."""
    return await read_delta_entities(
        pool, session, _DELTA, Calculation, user_id=user_id, cursor=cursor, limit=limit
    )
