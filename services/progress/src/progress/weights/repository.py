"""SQL for the weight log: writes on the session (same transaction as the outbox), the list read
on the plain read pool."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Table, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.sync import Delta, DeltaSource, SyncCursor, read_delta, snapshot_floor
from progress.weights.models import WeightEntry


@dataclass(slots=True)
class WeightRow:
    day: date
    weight_kg: float
    body_fat_pct: float | None
    note: str | None
    trend_kg: float
    updated_at: datetime
    total: int = 0


_LIST = b"""
SELECT day, weight_kg, body_fat_pct, note, trend_kg, updated_at, count(*) OVER () AS total
FROM weights
WHERE user_id = %s AND day BETWEEN %s AND %s
ORDER BY day
LIMIT %s OFFSET %s
"""
_COUNT = b"SELECT count(*) FROM weights WHERE user_id = %s AND day BETWEEN %s AND %s"
# GET /progress/weight?updatedSince=: WeightRow's columns (total left 0), changed since then.
_DELTA = DeltaSource(
    table="weights",
    entity="weight",
    key="day",
    columns=sql.SQL("day, weight_kg, body_fat_pct, note, trend_kg, updated_at"),
)


async def read_range(
    pool: AsyncConnectionPool, user_id: UUID, start: date, end: date, *, limit: int, offset: int
) -> tuple[list[WeightRow], int, str]:
    async with pool.connection() as conn:
        # Before the page: the sync cursor must not be newer than the snapshot read.
        sync = (await snapshot_floor(conn)).encode()
        cur = conn.cursor(row_factory=class_row(WeightRow))
        await cur.execute(_LIST, (user_id, start, end, limit, offset), prepare=True)
        rows = await cur.fetchall()
        if rows:
            return rows, rows[0].total, sync
        if offset == 0:
            return [], 0, sync
        counted = await (await conn.execute(_COUNT, (user_id, start, end), prepare=True)).fetchone()
        return [], int(counted[0]) if counted else 0, sync


async def read_changes(
    pool: AsyncConnectionPool, user_id: UUID, *, cursor: SyncCursor, limit: int
) -> tuple[list[WeightRow], Delta]:
    """Entries written (trend rewrites included) and days deleted since ``cursor``."""
    delta = await read_delta(pool, _DELTA, user_id=user_id, cursor=cursor, limit=limit)
    return [WeightRow(*row) for row in delta.rows], delta


async def lock_user(session: AsyncSession, user_id: UUID) -> None:
    """Serialise one user's weight writes: a write rewrites the trend of every later day."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"weights:{user_id}"}
    )


async def get(session: AsyncSession, user_id: UUID, day: date) -> WeightEntry | None:
    return await session.get(WeightEntry, (user_id, day))


async def around(
    session: AsyncSession, user_id: UUID, day: date
) -> tuple[float | None, list[tuple[date, float, float]]]:
    """In one query: the trend of the last entry before ``day`` and every entry after it."""
    before = (
        select(func.max(WeightEntry.day))
        .where(WeightEntry.user_id == user_id, WeightEntry.day < day)
        .scalar_subquery()
    )
    stmt = (
        select(WeightEntry.day, WeightEntry.weight_kg, WeightEntry.trend_kg)
        .where(
            WeightEntry.user_id == user_id,
            (WeightEntry.day > day) | (WeightEntry.day == before),
        )
        .order_by(WeightEntry.day)
    )
    rows = [(r.day, r.weight_kg, r.trend_kg) for r in (await session.execute(stmt)).all()]
    previous = rows[0][2] if rows and rows[0][0] < day else None
    return previous, [r for r in rows if r[0] > day]


async def upsert(
    session: AsyncSession,
    *,
    user_id: UUID,
    day: date,
    weight_kg: float,
    body_fat_pct: float | None,
    note: str | None,
    trend_kg: float,
) -> tuple[bool, datetime]:
    """Insert or replace the day's entry; (created, updated_at)."""
    values = {
        "weight_kg": weight_kg,
        "body_fat_pct": body_fat_pct,
        "note": note,
        "trend_kg": trend_kg,
        "updated_at": func.now(),
    }
    stmt = (
        insert(WeightEntry)
        .values(user_id=user_id, day=day, **values)
        .on_conflict_do_update(index_elements=["user_id", "day"], set_=values)
        # xmax is 0 for a freshly inserted row version, non-zero when the upsert updated it.
        .returning(text("(xmax = 0) AS inserted"), WeightEntry.updated_at)
    )
    row = (await session.execute(stmt)).one()
    return bool(row[0]), row[1]


def sa_table(model: type[WeightEntry]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def set_trends(
    session: AsyncSession, user_id: UUID, trends: Sequence[tuple[date, float]]
) -> None:
    if not trends:
        return
    # Core UPDATE with an executemany: one round trip for all changed days.
    table = sa_table(WeightEntry)
    stmt = (
        update(table)
        .where(table.c.user_id == bindparam("uid"), table.c.day == bindparam("d"))
        .values(trend_kg=bindparam("t"))
    )
    await session.execute(stmt, [{"uid": user_id, "d": d, "t": t} for d, t in trends])


async def remove(session: AsyncSession, user_id: UUID, day: date) -> bool:
    stmt = delete(WeightEntry).where(WeightEntry.user_id == user_id, WeightEntry.day == day)
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def series(
    session: AsyncSession, user_id: UUID, start: date, end: date
) -> Sequence[WeightEntry]:
    stmt = (
        select(WeightEntry)
        .where(WeightEntry.user_id == user_id, WeightEntry.day.between(start, end))
        .order_by(WeightEntry.day)
    )
    return (await session.execute(stmt)).scalars().all()


async def latest(
    session: AsyncSession, user_id: UUID, *, with_body_fat: bool = False
) -> WeightEntry | None:
    stmt = select(WeightEntry).where(WeightEntry.user_id == user_id)
    if with_body_fat:
        stmt = stmt.where(WeightEntry.body_fat_pct.is_not(None))
    stmt = stmt.order_by(WeightEntry.day.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()
