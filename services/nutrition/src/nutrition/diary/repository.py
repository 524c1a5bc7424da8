"""Queries on diary entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from psycopg import sql as psql
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.sync import Delta, DeltaSource, SyncCursor, read_delta_entities
from nutrition.diary.models import DiaryEntry

_ENTRY_COLUMNS = (
    "id",
    "user_id",
    "day",
    "meal_slot",
    "food_id",
    "name",
    "grams",
    "kcal",
    "protein_g",
    "fat_g",
    "carbs_g",
    "fiber_g",
    "sodium_mg",
    "sat_fat_g",
    "sugars_g",
    "created_at",
)
# Sums of one user-day (``DaySums``): count(col) = count(*) tells whether every entry has the
# optional nutrient (else its total is unknown: None, as ``service.day_totals`` says).
_DAY_SUMS = text(
    "SELECT count(*), coalesce(sum(kcal), 0), coalesce(sum(protein_g), 0), "
    "coalesce(sum(fat_g), 0), coalesce(sum(carbs_g), 0), coalesce(sum(fiber_g), 0), "
    "count(fiber_g), coalesce(sum(sodium_mg), 0), count(sodium_mg) "
    "FROM diary_entries WHERE user_id = :user_id AND day = :day"
)
# Insert an entry and sum its day in one round trip. A data-modifying CTE's row is not visible
# to the rest of its statement, so the new row is added to the day's other rows explicitly; the
# statement's snapshot is taken after ``lock_day`` returned, so every committed entry is in it.
_INSERT_WITH_SUMS = text(
    "WITH new AS (INSERT INTO diary_entries (id, user_id, day, meal_slot, food_id, name, grams, "
    "kcal, protein_g, fat_g, carbs_g, fiber_g, sodium_mg, sat_fat_g, sugars_g, created_at) "
    "VALUES (:id, :user_id, :day, :meal_slot, :food_id, :name, :grams, :kcal, :protein_g, "
    ":fat_g, :carbs_g, :fiber_g, :sodium_mg, :sat_fat_g, :sugars_g, :created_at) "
    "RETURNING kcal, protein_g, fat_g, carbs_g, fiber_g, sodium_mg), "
    "entries AS (SELECT kcal, protein_g, fat_g, carbs_g, fiber_g, sodium_mg FROM diary_entries "
    "WHERE user_id = :user_id AND day = :day "
    "UNION ALL SELECT kcal, protein_g, fat_g, carbs_g, fiber_g, sodium_mg FROM new) "
    "SELECT count(*), coalesce(sum(kcal), 0), coalesce(sum(protein_g), 0), "
    "coalesce(sum(fat_g), 0), coalesce(sum(carbs_g), 0), coalesce(sum(fiber_g), 0), "
    "count(fiber_g), coalesce(sum(sodium_mg), 0), count(sodium_mg) FROM entries"
)
# A catalogue food's nutrients and the user's timezone in one round trip (either may be absent).
_LOG_CONTEXT = text(
    "SELECT (SELECT timezone FROM user_profiles WHERE user_id = :user_id), "
    "f.id, f.description, f.kcal, f.protein_g, f.fat_g, f.carbs_g, f.fiber_g, f.sodium_mg, "
    "f.sat_fat_g, f.sugars_g FROM (SELECT 1) AS one LEFT JOIN foods AS f ON f.id = :food_id"
)


@dataclass(frozen=True, slots=True)
class DaySums:
    """Unrounded sums of one user-day's entries; ``fiber_g``/``sodium_mg`` are None when some
    entry lacks the nutrient."""

    entries: int
    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    fiber_g: float | None
    sodium_mg: float | None

    @classmethod
    def of(cls, row: Any) -> DaySums:
        n, kcal, protein, fat, carbs, fiber, with_fiber, sodium, with_sodium = row
        return cls(
            entries=int(n),
            kcal=float(kcal),
            protein_g=float(protein),
            fat_g=float(fat),
            carbs_g=float(carbs),
            fiber_g=float(fiber) if with_fiber == n else None,
            sodium_mg=float(sodium) if with_sodium == n else None,
        )


@dataclass(frozen=True, slots=True)
class FoodNutrients:
    """What logging needs of a catalogue food (per 100 g)."""

    id: int
    description: str
    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    fiber_g: float | None
    sodium_mg: float | None
    sat_fat_g: float | None
    sugars_g: float | None


async def log_context(
    session: AsyncSession, *, user_id: UUID, food_id: int | None
) -> tuple[str | None, FoodNutrients | None]:
    """(the user's timezone, the food's nutrients): None for an unknown profile or food."""
    row = (await session.execute(_LOG_CONTEXT, {"user_id": user_id, "food_id": food_id})).one()
    tz, found = row[0], row[1]
    return tz, FoodNutrients(*row[1:]) if found is not None else None


async def insert_with_sums(session: AsyncSession, row: DiaryEntry) -> DaySums:
    """Insert ``row`` (every column set by the caller) and return its day's sums, new row
    included; call ``lock_day`` first."""
    params = {c: getattr(row, c) for c in _ENTRY_COLUMNS}
    return DaySums.of((await session.execute(_INSERT_WITH_SUMS, params)).one())


async def day_sums(session: AsyncSession, *, user_id: UUID, day: date) -> DaySums:
    return DaySums.of((await session.execute(_DAY_SUMS, {"user_id": user_id, "day": day})).one())


async def lock_day(session: AsyncSession, user_id: UUID, day: date) -> None:
    """Serialise writes to one user-day so each event carries totals that include every
    committed entry (transaction-scoped advisory lock)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"diary:{user_id}:{day.isoformat()}"},
    )


async def add(session: AsyncSession, row: DiaryEntry) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, *, user_id: UUID, entry_id: UUID) -> DiaryEntry | None:
    stmt = select(DiaryEntry).where(DiaryEntry.id == entry_id, DiaryEntry.user_id == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_day(session: AsyncSession, *, user_id: UUID, day: date) -> list[DiaryEntry]:
    stmt = (
        select(DiaryEntry)
        .where(DiaryEntry.user_id == user_id, DiaryEntry.day == day)
        .order_by(DiaryEntry.created_at, DiaryEntry.id)
    )
    return list((await session.execute(stmt)).scalars())


async def for_range(
    session: AsyncSession, *, user_id: UUID, start: date, end: date
) -> list[DiaryEntry]:
    """Entries with ``start <= day <= end``."""
    stmt = select(DiaryEntry).where(
        DiaryEntry.user_id == user_id, DiaryEntry.day >= start, DiaryEntry.day <= end
    )
    return list((await session.execute(stmt)).scalars())


async def remove(session: AsyncSession, row: DiaryEntry) -> None:
    await session.delete(row)
    await session.flush()


async def users_with_entries(session: AsyncSession, *, start: date, end: date) -> list[UUID]:
    stmt = (
        select(DiaryEntry.user_id)
        .where(DiaryEntry.day >= start, DiaryEntry.day <= end)
        .group_by(DiaryEntry.user_id)
        .order_by(DiaryEntry.user_id)
    )
    return list((await session.execute(stmt)).scalars())


# ?updatedSince=: which rows changed (ids only: the rows are loaded through the session, as the
# rest of this aggregate's reads are) and which were deleted.
_DELTA = DeltaSource(table="diary_entries", entity="diary_entry", columns=psql.SQL("id"))


async def changes(
    pool: AsyncConnectionPool,
    session: AsyncSession,
    *,
    user_id: UUID,
    cursor: SyncCursor,
    limit: int,
) -> tuple[list[DiaryEntry], Delta]:
    """Rows written and ids deleted since ``cursor``, in change order."""
    return await read_delta_entities(
        pool, session, _DELTA, DiaryEntry, user_id=user_id, cursor=cursor, limit=limit
    )
