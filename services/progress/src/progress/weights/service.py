"""Use cases of the weight log: record (insert or replace a day), delete, list with the trend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.progress import WeightDeletedV1, WeightRecordedV1
from fitness_platform.outbox import add_event
from fitness_platform.pagination import PageParams
from fitness_platform.problems import ProblemError
from fitness_platform.sync import Changes, SyncCursor, SyncPage, no_filters_with_delta
from progress import users
from progress.domain import trend
from progress.weights import repository
from progress.weights.models import WeightEntry
from progress.weights.schemas import WeightIn, WeightOut

# The request's lower bound (issue 10): no weigh-in before 1900.
EARLIEST = date(1900, 1, 1)
TREND_DECIMALS = 2


def date_error(path: str, message: str) -> ProblemError:
    return ProblemError(
        422,
        detail=message,
        extra={"errors": [{"path": path, "message": message, "type": "date_range"}]},
    )


def check_day(day: date, today: date) -> None:
    if day > today:
        raise date_error("body.date", f"date must not be after {today} (your today)")
    if day < EARLIEST:
        raise date_error("body.date", f"date must not be before {EARLIEST}")


def to_out(row: WeightEntry) -> WeightOut:
    return WeightOut(
        day=row.day,
        weight_kg=row.weight_kg,
        body_fat_pct=row.body_fat_pct,
        note=row.note,
        trend_weight_kg=round(row.trend_kg, TREND_DECIMALS),
        updated_at=row.updated_at,
    )


async def _retrend(
    session: AsyncSession,
    *,
    user_id: UUID,
    later: list[tuple[date, float, float]],
    seed: float | None,
) -> None:
    """Rewrite the stored trend of the later entries that the change moved."""
    new = trend.series([w for _, w, _ in later], seed=seed)
    changed = [(d, t) for (d, _, old), t in zip(later, new, strict=True) if abs(old - t) > 1e-9]
    await repository.set_trends(session, user_id, changed)


async def record(*, session: AsyncSession, user_id: UUID, data: WeightIn) -> tuple[WeightOut, bool]:
    """Insert or replace the day's weigh-in; returns (entry, created)."""
    utc_today = datetime.now(UTC).date()
    # Every zone's today is within a day of UTC's: only a date near today needs the user's zone.
    if data.day >= utc_today:
        check_day(data.day, users.latest_possible_today(await users.profile(session, user_id)))
    else:
        check_day(data.day, utc_today)
    await repository.lock_user(session, user_id)
    previous, later = await repository.around(session, user_id, data.day)
    day_trend = trend.step(previous, data.weight_kg)
    created, updated_at = await repository.upsert(
        session,
        user_id=user_id,
        day=data.day,
        weight_kg=data.weight_kg,
        body_fat_pct=data.body_fat_pct,
        note=data.note or None,
        trend_kg=day_trend,
    )
    await _retrend(session, user_id=user_id, later=later, seed=day_trend)
    await add_event(
        session,
        WeightRecordedV1(
            user_id=user_id,
            date=data.day,
            weight_kg=data.weight_kg,
            body_fat_pct=data.body_fat_pct,
            trend_weight_kg=round(day_trend, TREND_DECIMALS),
            replaced=not created,
            recorded_at=datetime.now(UTC),
        ),
        key=str(user_id),
    )
    await session.commit()
    out = WeightOut(
        day=data.day,
        weight_kg=data.weight_kg,
        body_fat_pct=data.body_fat_pct,
        note=data.note or None,
        trend_weight_kg=round(day_trend, TREND_DECIMALS),
        updated_at=updated_at,
    )
    return out, created


async def get(*, session: AsyncSession, user_id: UUID, day: date) -> WeightOut | None:
    row = await repository.get(session, user_id, day)
    return to_out(row) if row else None


async def delete(*, session: AsyncSession, user_id: UUID, day: date) -> bool:
    await repository.lock_user(session, user_id)
    if not await repository.remove(session, user_id, day):
        return False
    previous, later = await repository.around(session, user_id, day)
    await _retrend(session, user_id=user_id, later=later, seed=previous)
    await add_event(
        session,
        WeightDeletedV1(user_id=user_id, date=day, deleted_at=datetime.now(UTC)),
        key=str(user_id),
    )
    await session.commit()
    return True


async def list_range(
    *,
    pool: AsyncConnectionPool,
    user_id: UUID,
    start: date | None,
    end: date | None,
    page: PageParams,
    since: SyncCursor | None = None,
) -> SyncPage[WeightOut] | Changes[WeightOut]:
    """The page with a sync cursor; with ``since``, the changes since that cursor instead."""
    if since is not None:
        no_filters_with_delta(since, {"from": start, "to": end})
        changed, delta = await repository.read_changes(
            pool, user_id, cursor=since, limit=page.limit
        )
        return Changes[WeightOut].model_construct(
            items=[_out(r) for r in changed],
            deleted=delta.deleted,
            cursor=delta.cursor,
            has_more=delta.has_more,
        )
    start = start or EARLIEST
    end = end or datetime.now(UTC).date() + timedelta(days=2)  # any zone's today is covered
    if start > end:
        raise date_error("query.from", "from must not be after to")
    rows, total, cursor = await repository.read_range(
        pool, user_id, start, end, limit=page.limit, offset=page.offset
    )
    # Rows from our own table are valid: construct without re-validating (hot read path).
    return SyncPage[WeightOut].model_construct(
        items=[_out(r) for r in rows],
        page=page.page,
        limit=page.limit,
        total=total,
        cursor=cursor,
    )


def _out(r: repository.WeightRow) -> WeightOut:
    return WeightOut.model_construct(
        day=r.day,
        weight_kg=r.weight_kg,
        body_fat_pct=r.body_fat_pct,
        note=r.note,
        trend_weight_kg=round(r.trend_kg, TREND_DECIMALS),
        updated_at=r.updated_at,
    )
