"""Queries on workouts: writes through the session (same transaction as the outbox), the key
reads (GET /workouts, GET /workouts/{id}) on the plain read pool."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.sync import Delta, DeltaSource, SyncCursor, read_delta, snapshot_floor
from training.workouts.models import Workout

# The key reads hand rows straight to the JSON encoder (workouts.service): timestamps as UTC
# (naive, encoded with a Z), the two JSONB columns as their text (embedded without a parse), so
# neither psycopg's JSON loads nor pydantic run on the hot path (both were most of its CPU).
_COLUMNS = sql.SQL(
    "id, title, started_at AT TIME ZONE 'UTC', local_date, duration_min, notes, "
    "exercises::text, calories_burned, calories_source, calorie_estimate::text, "
    "created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC'"
)
_FILTERS = sql.SQL(
    "WHERE user_id = %(user_id)s "
    "AND (%(from)s::date IS NULL OR local_date >= %(from)s::date) "
    "AND (%(to)s::date IS NULL OR local_date <= %(to)s::date) "
    "AND (%(q)s::text IS NULL OR title ILIKE %(q)s::text ESCAPE '\\') "
)
# Composed once, not per request. One query gives the page and the total (window count);
# only a page past the end needs the separate count.
_READ_PAGE = (
    sql.SQL(
        "SELECT {columns}, count(*) OVER () FROM {table} {filters}"
        "ORDER BY started_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s"
    )
    .format(columns=_COLUMNS, table=sql.Identifier(Workout.__tablename__), filters=_FILTERS)
    .as_bytes()
)
_COUNT = (
    sql.SQL("SELECT count(*) FROM {table} {filters}")
    .format(table=sql.Identifier(Workout.__tablename__), filters=_FILTERS)
    .as_bytes()
)
_READ_ONE = (
    sql.SQL("SELECT {columns} FROM {table} WHERE id = %s AND user_id = %s")
    .format(columns=_COLUMNS, table=sql.Identifier(Workout.__tablename__))
    .as_bytes()
)

# GET /workouts?updatedSince=: the same columns, changed since the cursor.
_DELTA = DeltaSource(table=Workout.__tablename__, entity="workout", columns=_COLUMNS)

# Column order of a read row (the JSON field names of WorkoutOut).
READ_FIELDS = (
    "id",
    "title",
    "startedAt",
    "localDate",
    "durationMin",
    "notes",
    "exercises",
    "caloriesBurned",
    "caloriesSource",
    "calorieEstimate",
    "createdAt",
    "updatedAt",
)


def like_pattern(q: str) -> str:
    """``q`` as a case-insensitive substring pattern, its own ``%``/``_``/``\\`` taken literally."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def read_page(
    pool: AsyncConnectionPool,
    *,
    user_id: UUID,
    start: date | None,
    end: date | None,
    q: str | None,
    offset: int,
    limit: int,
) -> tuple[list[tuple[Any, ...]], int, str]:
    """Rows in ``READ_FIELDS`` order, newest first, the total matching and the sync cursor."""
    params = {
        "user_id": user_id,
        "from": start,
        "to": end,
        "q": like_pattern(q) if q else None,
        "limit": limit,
        "offset": offset,
    }
    async with pool.connection() as conn:
        # Before the page: the sync cursor must not be newer than the snapshot read.
        sync = (await snapshot_floor(conn)).encode()
        cursor = await conn.execute(_READ_PAGE, params, prepare=True)
        rows = await cursor.fetchall()
        if rows:
            return [row[:-1] for row in rows], int(rows[0][-1]), sync
        if offset == 0:
            return [], 0, sync
        count = await conn.execute(_COUNT, params, prepare=True)
        found = await count.fetchone()
        return [], int(found[0]) if found else 0, sync


async def read_changes(
    pool: AsyncConnectionPool, *, user_id: UUID, cursor: SyncCursor, limit: int
) -> Delta:
    """Workouts written and deleted since ``cursor`` (rows in ``READ_FIELDS`` order)."""
    return await read_delta(pool, _DELTA, user_id=user_id, cursor=cursor, limit=limit)


async def read_one(
    pool: AsyncConnectionPool, *, user_id: UUID, workout_id: UUID
) -> tuple[Any, ...] | None:
    """The row in ``READ_FIELDS`` order; another user's workout reads as missing (404)."""
    async with pool.connection() as conn:
        cursor = await conn.execute(_READ_ONE, (workout_id, user_id), prepare=True)
        return await cursor.fetchone()


async def lock_user(session: AsyncSession, user_id: UUID) -> None:
    """Serialise a user's workout writes with the re-estimation a weight event triggers, so a
    workout written while a weigh-in arrives cannot keep an estimate from the older weight."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"training:user:{user_id}"},
    )


async def get_for_update(
    session: AsyncSession, *, user_id: UUID, workout_id: UUID
) -> Workout | None:
    stmt = (
        select(Workout)
        .where(Workout.id == workout_id, Workout.user_id == user_id)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, row: Workout) -> None:
    session.add(row)
    await session.flush()


async def remove(session: AsyncSession, row: Workout) -> None:
    await session.delete(row)
    await session.flush()


async def estimated_between(
    session: AsyncSession,
    *,
    user_id: UUID,
    start: date | None = None,
    end_before: date | None = None,
    weight_sources: tuple[str, ...] | None = None,
) -> list[Workout]:
    """Estimated workouts of the user with ``start <= local_date < end_before`` (either bound
    optional), optionally only those whose estimate used one of ``weight_sources``; locked."""
    stmt = select(Workout).where(Workout.user_id == user_id, Workout.calories_source == "estimated")
    if start is not None:
        stmt = stmt.where(Workout.local_date >= start)
    if end_before is not None:
        stmt = stmt.where(Workout.local_date < end_before)
    if weight_sources is not None:
        stmt = stmt.where(Workout.calorie_estimate["weightSource"].astext.in_(weight_sources))
    stmt = stmt.order_by(Workout.started_at, Workout.id).with_for_update()
    return list((await session.execute(stmt)).scalars())
