"""Queries on the exercise catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from psycopg import sql
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from training.exercises.models import Exercise

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_WORDS = 8


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The catalogue read on the plain read pool (every workout editor opens it): every word of
# ``q`` must occur in the name (``ILIKE ALL``; backslash is LIKE's default escape character).
_SEARCH = (
    sql.SQL(
        "SELECT id, name, category, met_code, met, edition, count(*) OVER () FROM {table} "
        "WHERE (%(category)s::text IS NULL OR category = %(category)s::text) "
        "AND name ILIKE ALL (%(patterns)s::text[]) "
        "ORDER BY name, id LIMIT %(limit)s OFFSET %(offset)s"
    )
    .format(table=sql.Identifier(Exercise.__tablename__))
    .as_bytes()
)
_COUNT = (
    sql.SQL(
        "SELECT count(*) FROM {table} "
        "WHERE (%(category)s::text IS NULL OR category = %(category)s::text) "
        "AND name ILIKE ALL (%(patterns)s::text[])"
    )
    .format(table=sql.Identifier(Exercise.__tablename__))
    .as_bytes()
)

# Column order of a search row (the JSON field names of ExerciseOut).
SEARCH_FIELDS = ("id", "name", "category", "metCode", "met", "edition")


async def search(
    pool: AsyncConnectionPool, *, q: str | None, category: str | None, offset: int, limit: int
) -> tuple[list[tuple[Any, ...]], int]:
    """Rows in ``SEARCH_FIELDS`` order by name, and the total matching."""
    patterns: list[str] = []
    if q:
        words = _WORD.findall(q.lower())[:MAX_QUERY_WORDS]
        if not words:  # only punctuation: nothing can match
            return [], 0
        patterns = [f"%{_escape(w)}%" for w in words]
    params = {"category": category, "patterns": patterns, "limit": limit, "offset": offset}
    async with pool.connection() as conn:
        rows = await (await conn.execute(_SEARCH, params, prepare=True)).fetchall()
        if rows:
            return [row[:-1] for row in rows], int(rows[0][-1])
        if offset == 0:
            return [], 0
        found = await (await conn.execute(_COUNT, params, prepare=True)).fetchone()
        return [], int(found[0]) if found else 0


async def get_many(session: AsyncSession, ids: Iterable[int]) -> dict[int, Exercise]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(Exercise).where(Exercise.id.in_(wanted)))
    return {e.id: e for e in rows.scalars()}
