"""SQL for the ``goals`` table: the lean read pool for GETs, the session for writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.sync import Delta, DeltaSource, SyncCursor, read_delta, snapshot_floor
from goals.goals.models import Goal, GoalRecord

_COLUMNS = sql.SQL(", ").join(sql.Identifier(f.name) for f in fields(GoalRecord))
_TABLE = sql.Identifier(Goal.__tablename__)

# Composed once, not per request (identity measured ~3 % of a GET's CPU in composing).
_READ_ONE = (
    sql.SQL("SELECT {columns} FROM {table} WHERE id = %s AND user_id = %s")
    .format(columns=_COLUMNS, table=_TABLE)
    .as_bytes()
)
# One statement for every filter combination (NULL = no filter), so one prepared plan serves
# all; the window count saves a second round trip for ``total``.
_READ_PAGE = (
    sql.SQL(
        "SELECT {columns}, count(*) OVER () AS total FROM {table} "
        "WHERE user_id = %(user)s "
        "AND (%(status)s::text IS NULL OR status = %(status)s::text) "
        "AND (%(type)s::text IS NULL OR type = %(type)s::text) "
        "ORDER BY created_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s"
    )
    .format(columns=_COLUMNS, table=_TABLE)
    .as_bytes()
)
_COUNT = (
    sql.SQL(
        "SELECT count(*) FROM {table} WHERE user_id = %(user)s "
        "AND (%(status)s::text IS NULL OR status = %(status)s::text) "
        "AND (%(type)s::text IS NULL OR type = %(type)s::text)"
    )
    .format(table=_TABLE)
    .as_bytes()
)
_NAMES = [f.name for f in fields(GoalRecord)]
# GET /goals?updatedSince=: the same columns, changed since the cursor.
_DELTA = DeltaSource(table=Goal.__tablename__, entity="goal", columns=_COLUMNS)


async def read_one(pool: AsyncConnectionPool, *, goal_id: UUID, user_id: UUID) -> GoalRecord | None:
    """The hot read of ``GET /goals/{id}``: another user's id finds nothing (→ 404)."""
    async with pool.connection() as conn:
        cursor = conn.cursor(row_factory=class_row(GoalRecord))
        await cursor.execute(_READ_ONE, (goal_id, user_id), prepare=True)
        return await cursor.fetchone()


async def read_page(
    pool: AsyncConnectionPool,
    *,
    user_id: UUID,
    status: str | None,
    goal_type: str | None,
    limit: int,
    offset: int,
) -> tuple[list[GoalRecord], int, str]:
    params = {
        "user": user_id,
        "status": status,
        "type": goal_type,
        "limit": limit,
        "offset": offset,
    }
    async with pool.connection() as conn:
        # Before the page: the sync cursor must not be newer than the snapshot read.
        sync = (await snapshot_floor(conn)).encode()
        cursor = conn.cursor()
        await cursor.execute(_READ_PAGE, params, prepare=True)
        rows = await cursor.fetchall()
        if rows:
            total = int(rows[0][-1])
        elif offset:
            # Past the last page: the window count has no row to ride on.
            await cursor.execute(_COUNT, params, prepare=True)
            found = await cursor.fetchone()
            total = int(found[0]) if found else 0
        else:
            total = 0
    records = [GoalRecord(**dict(zip(_NAMES, row[:-1], strict=True))) for row in rows]
    return records, total, sync


async def read_changes(
    pool: AsyncConnectionPool, *, user_id: UUID, cursor: SyncCursor, limit: int
) -> tuple[list[GoalRecord], Delta]:
    """Goals written (evaluations included) and deleted since ``cursor``."""
    delta = await read_delta(pool, _DELTA, user_id=user_id, cursor=cursor, limit=limit)
    return [GoalRecord(**dict(zip(_NAMES, row, strict=True))) for row in delta.rows], delta


async def get_for_update(session: AsyncSession, *, goal_id: UUID, user_id: UUID) -> Goal | None:
    stmt = select(Goal).where(Goal.id == goal_id, Goal.user_id == user_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_for_update(session: AsyncSession, user_id: UUID) -> list[Goal]:
    """The user's active goals, locked: an auto-update from the consumer and one from the API
    for the same user run one after the other."""
    stmt = (
        select(Goal)
        .where(Goal.user_id == user_id, Goal.status == "active")
        .order_by(Goal.created_at, Goal.id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


async def list_for_user(
    session: AsyncSession, user_id: UUID, *, goal_id: UUID | None = None, status: str | None = None
) -> list[Goal]:
    stmt = select(Goal).where(Goal.user_id == user_id)
    if goal_id is not None:
        stmt = stmt.where(Goal.id == goal_id)
    if status is not None:
        stmt = stmt.where(Goal.status == status)
    return list((await session.execute(stmt.order_by(Goal.created_at, Goal.id))).scalars())


async def has_active_weight_target(session: AsyncSession, user_id: UUID) -> bool:
    stmt = select(Goal.id).where(
        Goal.user_id == user_id, Goal.type == "weight_target", Goal.status == "active"
    )
    return (await session.execute(stmt.limit(1))).first() is not None


def add(session: AsyncSession, goal: Goal) -> None:
    session.add(goal)


async def mark_achieved(
    session: AsyncSession, *, goal_id: UUID, at: datetime, values: Mapping[str, Any]
) -> bool:
    """Completed + ``achieved_at``, once: the ``achieved_at IS NULL`` guard makes a second
    evaluation (a replay, a concurrent auto-update) a no-op, so the achieved event is written
    at most once per goal."""
    stmt = (
        update(Goal)
        .where(Goal.id == goal_id, Goal.achieved_at.is_(None), Goal.status == "active")
        .values(status="completed", achieved_at=at, updated_at=at, **values)
        .returning(Goal.id)
        .execution_options(synchronize_session="fetch")
    )
    return (await session.execute(stmt)).first() is not None
