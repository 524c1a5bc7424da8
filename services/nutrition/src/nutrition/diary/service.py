"""Use cases of the food diary: log (snapshot nutrients), read a day vs targets, delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.nutrition import DayTotals, IntakeLoggedV1
from fitness_platform.outbox import add_event
from fitness_platform.problems import ProblemError
from fitness_platform.sync import Changes, SyncCursor
from nutrition.calculations import service as calculation_service
from nutrition.diary import repository
from nutrition.diary.models import DiaryEntry
from nutrition.diary.schemas import (
    DayTargets,
    DayTotalsOut,
    DiaryDay,
    DiaryEntryIn,
    DiaryEntryOut,
    EntryNutrients,
)
from nutrition.profiles import service as profile_service

# How far back a diary day may be logged or read; forward: one day (time zones, travel).
MAX_PAST_DAYS = 3650


def to_out(row: DiaryEntry) -> DiaryEntryOut:
    return DiaryEntryOut(
        id=row.id,
        day=row.day,
        meal_slot=row.meal_slot,
        food_id=row.food_id,
        name=row.name,
        grams=row.grams,
        nutrients=EntryNutrients(
            kcal=row.kcal,
            protein_g=row.protein_g,
            fat_g=row.fat_g,
            carbs_g=row.carbs_g,
            fiber_g=row.fiber_g,
            sodium_mg=row.sodium_mg,
            sat_fat_g=row.sat_fat_g,
            sugars_g=row.sugars_g,
        ),
        created_at=row.created_at,
    )


def _sum_optional(values: Sequence[float | None]) -> float | None:
    if any(v is None for v in values):
        return None
    return round(sum(v for v in values if v is not None), 1)


def day_totals(entries: Sequence[DiaryEntry]) -> DayTotalsOut:
    return DayTotalsOut(
        kcal=round(sum(e.kcal for e in entries), 1),
        protein_g=round(sum(e.protein_g for e in entries), 1),
        fat_g=round(sum(e.fat_g for e in entries), 1),
        carbs_g=round(sum(e.carbs_g for e in entries), 1),
        fiber_g=_sum_optional([e.fiber_g for e in entries]),
        sodium_mg=_sum_optional([e.sodium_mg for e in entries]),
    )


def check_day(day: date, today: date) -> None:
    if day > today + timedelta(days=1) or day < today - timedelta(days=MAX_PAST_DAYS):
        raise ProblemError(
            422,
            detail=f"date must be between {today - timedelta(days=MAX_PAST_DAYS)} and "
            f"{today + timedelta(days=1)} (your timezone).",
            extra={"errors": [{"path": "date", "message": "out of range", "type": "date_range"}]},
        )


def _scaled(per_100g: float | None, grams: float) -> float | None:
    return None if per_100g is None else round(per_100g * grams / 100.0, 1)


def sums_out(sums: repository.DaySums) -> DayTotalsOut:
    """A day's totals from its SQL sums, rounded like ``day_totals``."""
    return DayTotalsOut(
        kcal=round(sums.kcal, 1),
        protein_g=round(sums.protein_g, 1),
        fat_g=round(sums.fat_g, 1),
        carbs_g=round(sums.carbs_g, 1),
        fiber_g=round(sums.fiber_g, 1) if sums.fiber_g is not None else None,
        sodium_mg=round(sums.sodium_mg, 1) if sums.sodium_mg is not None else None,
    )


async def _event(
    session: AsyncSession, *, user_id: UUID, entry_id: UUID, day: date, totals: DayTotalsOut
) -> None:
    await add_event(
        session,
        IntakeLoggedV1(
            user_id=user_id,
            entry_id=entry_id,
            day=day,
            day_totals=DayTotals(
                kcal=totals.kcal,
                protein_g=totals.protein_g,
                fat_g=totals.fat_g,
                carbs_g=totals.carbs_g,
                fiber_g=totals.fiber_g,
                sodium_mg=totals.sodium_mg,
            ),
            logged_at=datetime.now(UTC),
        ),
        key=str(user_id),
    )


async def log_entry(*, session: AsyncSession, user_id: UUID, data: DiaryEntryIn) -> DiaryEntryOut:
    """Round trips: timezone + food in one query, the day lock, the insert + the day's sums in
    one statement, the outbox row (then the commit)."""
    tz, food = await repository.log_context(
        session, user_id=user_id, food_id=data.food_id if data.custom_item is None else None
    )
    tz = tz or "UTC"
    today = profile_service.today_in(tz)
    day = data.day or today
    check_day(day, today)
    row = DiaryEntry(id=uuid4(), user_id=user_id, day=day, meal_slot=data.meal_slot)
    if data.custom_item is not None:
        c = data.custom_item
        row.food_id = None
        row.name, row.grams = c.name, c.grams
        row.kcal, row.protein_g, row.fat_g, row.carbs_g = c.kcal, c.protein_g, c.fat_g, c.carbs_g
        row.fiber_g, row.sodium_mg = c.fiber_g, c.sodium_mg
        row.sat_fat_g, row.sugars_g = c.sat_fat_g, c.sugars_g
    else:
        assert data.food_id is not None
        assert data.grams is not None
        if food is None:
            raise ProblemError(
                422,
                detail=f"Unknown food id {data.food_id}.",
                extra={
                    "errors": [
                        {"path": "body.foodId", "message": "unknown food", "type": "unknown_food"}
                    ]
                },
            )
        g = data.grams
        row.food_id, row.name, row.grams = food.id, food.description, g
        row.kcal = round(food.kcal * g / 100.0, 1)
        row.protein_g = round(food.protein_g * g / 100.0, 1)
        row.fat_g = round(food.fat_g * g / 100.0, 1)
        row.carbs_g = round(food.carbs_g * g / 100.0, 1)
        row.fiber_g = _scaled(food.fiber_g, g)
        row.sodium_mg = _scaled(food.sodium_mg, g)
        row.sat_fat_g = _scaled(food.sat_fat_g, g)
        row.sugars_g = _scaled(food.sugars_g, g)
    row.created_at = datetime.now(UTC)
    await repository.lock_day(session, user_id, day)
    sums = await repository.insert_with_sums(session, row)
    await _event(session, user_id=user_id, entry_id=row.id, day=day, totals=sums_out(sums))
    await session.commit()
    return to_out(row)


async def get_entry(
    *, session: AsyncSession, user_id: UUID, entry_id: UUID
) -> DiaryEntryOut | None:
    row = await repository.get(session, user_id=user_id, entry_id=entry_id)
    return to_out(row) if row is not None else None


async def delete_entry(*, session: AsyncSession, user_id: UUID, entry_id: UUID) -> bool:
    """Deleting changes the day's totals, so the same event goes out with the new totals."""
    row = await repository.get(session, user_id=user_id, entry_id=entry_id)
    if row is None:
        return False
    await repository.lock_day(session, user_id, row.day)
    await repository.remove(session, row)
    sums = await repository.day_sums(session, user_id=user_id, day=row.day)
    await _event(session, user_id=user_id, entry_id=entry_id, day=row.day, totals=sums_out(sums))
    await session.commit()
    return True


async def changes(
    *,
    session: AsyncSession,
    pool: AsyncConnectionPool,
    user_id: UUID,
    since: SyncCursor,
    limit: int,
) -> Changes[DiaryEntryOut]:
    """Entries written and ids deleted since ``since`` (every day: a delta has no date)."""
    rows, delta = await repository.changes(
        pool, session, user_id=user_id, cursor=since, limit=limit
    )
    return Changes[DiaryEntryOut](
        items=[to_out(r) for r in rows],
        deleted=delta.deleted,
        cursor=delta.cursor,
        hasMore=delta.has_more,
    )


async def read_day(
    *, session: AsyncSession, user_id: UUID, day: date | None, cursor: str = ""
) -> DiaryDay:
    tz = await profile_service.timezone_of(session, user_id=user_id)
    today = profile_service.today_in(tz)
    day = day or today
    check_day(day, today)
    entries = await repository.for_day(session, user_id=user_id, day=day)
    totals = day_totals(entries)
    current = await calculation_service.current_targets(session=session, user_id=user_id)
    targets = remaining = None
    if current is not None:
        targets = DayTargets(
            source=current.source,
            kcal=current.daily_calories,
            protein_g=current.macros.protein_g,
            fat_g=current.macros.fat_g,
            carbs_g=current.macros.carbs_g,
            fiber_g=current.fiber_g,
        )
        remaining = DayTotalsOut(
            kcal=round(targets.kcal - totals.kcal, 1),
            protein_g=round(targets.protein_g - totals.protein_g, 1),
            fat_g=round(targets.fat_g - totals.fat_g, 1),
            carbs_g=round(targets.carbs_g - totals.carbs_g, 1),
            fiber_g=(
                round(targets.fiber_g - totals.fiber_g, 1) if totals.fiber_g is not None else None
            ),
        )
    return DiaryDay(
        day=day,
        timezone=tz,
        entries=[to_out(e) for e in entries],
        totals=totals,
        targets=targets,
        remaining=remaining,
        cursor=cursor,
    )
