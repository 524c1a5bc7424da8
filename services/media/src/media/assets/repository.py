"""SQL for the ``assets`` table: writes on the session (same transaction as the outbox), the hot
reads (``GET /media/{id}``, ``GET /media``) on the plain read pool."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import delete, select, update
from sqlalchemy import insert as sql_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.sync import Delta, DeltaSource, SyncCursor, read_delta, snapshot_floor
from media.assets.models import Asset, AssetRecord, AssetStatus

_COLUMNS = sql.SQL(", ").join(sql.Identifier(f.name) for f in fields(AssetRecord))
_TABLE = sql.Identifier(Asset.__tablename__)

# Composed once, not per request. The user id is part of every read: another user's id is a
# miss, so BOLA protection is the query itself.
_READ_BY_ID = (
    sql.SQL("SELECT {c} FROM {t} WHERE id = %s AND user_id = %s")
    .format(c=_COLUMNS, t=_TABLE)
    .as_bytes()
)
_PAGE = (
    sql.SQL(
        "SELECT {c} FROM {t} WHERE user_id = %s AND (%s::text IS NULL OR purpose = %s)"
        " ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s"
    )
    .format(c=_COLUMNS, t=_TABLE)
    .as_bytes()
)
# GET /media?updatedSince=: the same columns, changed since the cursor.
_DELTA = DeltaSource(table=Asset.__tablename__, entity="asset", columns=_COLUMNS)
_COUNT = (
    sql.SQL("SELECT count(*) FROM {t} WHERE user_id = %s AND (%s::text IS NULL OR purpose = %s)")
    .format(t=_TABLE)
    .as_bytes()
)


async def read_by_id(
    pool: AsyncConnectionPool, *, asset_id: UUID, user_id: UUID
) -> AssetRecord | None:
    async with pool.connection() as conn:
        cursor = conn.cursor(row_factory=class_row(AssetRecord))
        await cursor.execute(_READ_BY_ID, (asset_id, user_id), prepare=True)
        return await cursor.fetchone()


async def read_page(
    pool: AsyncConnectionPool,
    *,
    user_id: UUID,
    purpose: str | None,
    limit: int,
    offset: int,
) -> tuple[list[AssetRecord], int, str]:
    async with pool.connection() as conn:
        # Before the page: the sync cursor must not be newer than the snapshot read.
        sync = (await snapshot_floor(conn)).encode()
        cursor = conn.cursor(row_factory=class_row(AssetRecord))
        await cursor.execute(_PAGE, (user_id, purpose, purpose, limit, offset), prepare=True)
        items = await cursor.fetchall()
        if offset == 0 and len(items) < limit:
            return items, len(items), sync
        count = await conn.execute(_COUNT, (user_id, purpose, purpose), prepare=True)
        row = await count.fetchone()
        return items, int(row[0]) if row else 0, sync


async def read_changes(
    pool: AsyncConnectionPool, *, user_id: UUID, cursor: SyncCursor, limit: int
) -> tuple[list[AssetRecord], Delta]:
    """Assets written (uploads confirmed included) and deleted since ``cursor``."""
    delta = await read_delta(pool, _DELTA, user_id=user_id, cursor=cursor, limit=limit)
    return [AssetRecord(*row) for row in delta.rows], delta


async def insert(session: AsyncSession, record: AssetRecord) -> None:
    """A Core INSERT of a fully built row: no unit-of-work flush, no refresh round trip (the
    upload request is a hot write)."""
    await session.execute(sql_insert(Asset).values(asdict(record)))


async def get_for_user(session: AsyncSession, *, asset_id: UUID, user_id: UUID) -> Asset | None:
    stmt = (
        select(Asset)
        .where(Asset.id == asset_id, Asset.user_id == user_id)
        # A re-read after an UPDATE statement must see the new values, not the identity map's.
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_ready(session: AsyncSession, *, asset_id: UUID, at: datetime) -> bool:
    """Pending → ready; False if another confirm got there first (or the row is gone)."""
    stmt = (
        update(Asset)
        .where(Asset.id == asset_id, Asset.status == AssetStatus.PENDING.value)
        .values(status=AssetStatus.READY.value, uploaded_at=at)
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def delete_for_user(session: AsyncSession, *, asset_id: UUID, user_id: UUID) -> Asset | None:
    stmt = delete(Asset).where(Asset.id == asset_id, Asset.user_id == user_id).returning(Asset)
    return (await session.execute(stmt)).scalar_one_or_none()


async def delete_all_of_user(session: AsyncSession, user_id: UUID) -> Sequence[Asset]:
    stmt = delete(Asset).where(Asset.user_id == user_id).returning(Asset)
    return (await session.execute(stmt)).scalars().all()


async def take_expired_pending(
    session: AsyncSession, *, created_before: datetime, limit: int
) -> Sequence[Asset]:
    """Delete and return up to ``limit`` pending rows created before the cut-off; SKIP LOCKED so
    two workers never take the same rows."""
    ids = (
        select(Asset.id)
        .where(Asset.status == AssetStatus.PENDING.value, Asset.created_at < created_before)
        .order_by(Asset.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = delete(Asset).where(Asset.id.in_(ids)).returning(Asset)
    return (await session.execute(stmt)).scalars().all()


async def existing_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    if not keys:
        return set()
    stmt = select(Asset.object_key).where(Asset.object_key.in_(list(keys)))
    return set((await session.execute(stmt)).scalars().all())
