"""Queries on the exercise catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from training.exercises.models import Exercise

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_WORDS = 8


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(
    session: AsyncSession, *, q: str | None, category: str | None, offset: int, limit: int
) -> tuple[list[Exercise], int]:
    """Every word of ``q`` must occur in the name (``run 6`` finds "Running, 6 mph")."""
    where: list[ColumnElement[bool]] = []
    if q:
        words = _WORD.findall(q.lower())[:MAX_QUERY_WORDS]
        if not words:  # only punctuation: nothing can match
            return [], 0
        for word in words:
            where.append(Exercise.name.ilike(f"%{_escape(word)}%", escape="\\"))
    if category is not None:
        where.append(Exercise.category == category)
    total = (
        await session.execute(select(func.count()).select_from(Exercise).where(*where))
    ).scalar_one()
    stmt = select(Exercise).where(*where).order_by(Exercise.name, Exercise.id)
    rows = (await session.execute(stmt.offset(offset).limit(limit))).scalars().all()
    return list(rows), int(total)


async def get_many(session: AsyncSession, ids: Iterable[int]) -> dict[int, Exercise]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(Exercise).where(Exercise.id.in_(wanted)))
    return {e.id: e for e in rows.scalars()}
