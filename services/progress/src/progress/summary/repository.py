"""The summary's one aggregate query, on the plain read pool (a hot read: DESIGN §10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from psycopg.rows import class_row
from psycopg_pool import AsyncConnectionPool


@dataclass(slots=True)
class SummaryRow:
    workouts: int
    minutes: int
    kcal_burned: float
    days_logged: int
    kcal_eaten: float
    weigh_ins: int
    start_kg: float | None
    start_trend: float | None
    end_kg: float | None
    end_trend: float | None


_SUMMARY = b"""
WITH w AS (
    SELECT count(*) AS n, coalesce(sum(duration_min), 0) AS minutes,
           coalesce(sum(kcal), 0) AS kcal
    FROM workouts
    WHERE user_id = %(u)s AND local_date BETWEEN %(a)s AND %(b)s AND NOT deleted
), i AS (
    SELECT count(*) AS days, coalesce(sum(kcal), 0) AS kcal
    FROM intake_days WHERE user_id = %(u)s AND day BETWEEN %(a)s AND %(b)s
), g AS (
    SELECT day, weight_kg, trend_kg FROM weights
    WHERE user_id = %(u)s AND day BETWEEN %(a)s AND %(b)s
), f AS (
    SELECT weight_kg, trend_kg FROM g ORDER BY day LIMIT 1
), l AS (
    SELECT weight_kg, trend_kg FROM g ORDER BY day DESC LIMIT 1
)
SELECT w.n AS workouts, w.minutes::int AS minutes, w.kcal::float8 AS kcal_burned,
       i.days AS days_logged, i.kcal::float8 AS kcal_eaten,
       (SELECT count(*) FROM g) AS weigh_ins,
       f.weight_kg AS start_kg, f.trend_kg AS start_trend,
       l.weight_kg AS end_kg, l.trend_kg AS end_trend
FROM w CROSS JOIN i LEFT JOIN f ON true LEFT JOIN l ON true
"""


async def read(pool: AsyncConnectionPool, user_id: UUID, start: date, end: date) -> SummaryRow:
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=class_row(SummaryRow))
        await cur.execute(_SUMMARY, {"u": user_id, "a": start, "b": end}, prepare=True)
        row = await cur.fetchone()
    assert row is not None  # an aggregate always returns one row
    return row
