"""Period summary: workouts, intake and weight change over a window of the user's days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from progress import users
from progress.domain import periods
from progress.summary import repository
from progress.summary.schemas import IntakeTotals, Summary, WeightChange, WorkoutTotals
from progress.weights.service import date_error

MAX_DAYS = 3660  # ten years: a bound on what one request may aggregate


def _diff(a: float | None, b: float | None) -> float | None:
    return round(b - a, 2) if a is not None and b is not None else None


async def summarize(
    *,
    pool: AsyncConnectionPool,
    user_id: UUID,
    period: periods.PeriodName | None,
    start: date | None,
    end: date | None,
) -> Summary:
    if start is not None or end is not None:
        if period is not None or start is None or end is None:
            raise date_error("query.from", "give either period, or both from and to")
    else:
        period = period or "week"
        today = users.today_in(await users.zone_on_pool(pool, user_id), datetime.now(UTC))
        start, end = periods.window(period, today)
    if start > end:
        raise date_error("query.from", "from must not be after to")
    if (end - start).days >= MAX_DAYS:
        raise date_error("query.from", f"at most {MAX_DAYS} days")
    row = await repository.read(pool, user_id, start, end)
    return Summary(
        start=start,
        end=end,
        period=period,
        workouts=WorkoutTotals(
            count=row.workouts, minutes=row.minutes, kcal_burned=round(row.kcal_burned, 1)
        ),
        intake=IntakeTotals(
            kcal_eaten=round(row.kcal_eaten, 1),
            days_logged=row.days_logged,
            mean_kcal_per_logged_day=(
                round(row.kcal_eaten / row.days_logged, 1) if row.days_logged else None
            ),
        ),
        weight=WeightChange(
            weigh_ins=row.weigh_ins,
            start_kg=row.start_kg,
            end_kg=row.end_kg,
            change_kg=_diff(row.start_kg, row.end_kg),
            trend_start_kg=round(row.start_trend, 2) if row.start_trend is not None else None,
            trend_end_kg=round(row.end_trend, 2) if row.end_trend is not None else None,
            trend_change_kg=_diff(row.start_trend, row.end_trend),
        ),
    )
