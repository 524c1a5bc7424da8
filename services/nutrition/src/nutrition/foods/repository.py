"""Queries on foods and portions (ranked full-text search lives here)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, delete, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from nutrition.foods.models import Food, Portion, custom_food_id_seq

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_WORDS = 8


def prefix_tsquery(q: str) -> str | None:
    """``chicken bre`` → ``chicken:* & bre:*`` (typing-friendly prefix match); operators and
    punctuation in user input are dropped, so the query can never be a tsquery syntax error."""
    words = _WORD.findall(q.lower())[:MAX_QUERY_WORDS]
    return " & ".join(f"{w}:*" for w in words) if words else None


def _filters(
    *,
    tags: Sequence[str],
    allergen_free: Sequence[str],
    source: str | None,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if tags:
        where.append(Food.tags.contains(list(tags)))
    if allergen_free:
        where.append(~Food.allergens.overlap(list(allergen_free)))
        # A composite food's ingredients are unknown: it cannot be promised allergen-free.
        where.append(Food.composite.is_(False))
    if source is not None:
        where.append(Food.source == source)
    return where


async def search(
    session: AsyncSession,
    *,
    q: str | None,
    tags: Sequence[str] = (),
    allergen_free: Sequence[str] = (),
    source: str | None = None,
    offset: int,
    limit: int,
) -> tuple[list[Food], int]:
    where = _filters(tags=tags, allergen_free=allergen_free, source=source)
    order: list[Any]
    if q:
        tsq_text = prefix_tsquery(q)
        if tsq_text is None:
            return [], 0
        tsq = func.to_tsquery(literal_column("'english'::regconfig"), tsq_text)
        where.append(Food.search.bool_op("@@")(tsq))
        needle = q.strip().lower()
        desc = func.lower(Food.description)
        # Exact name first, then names that start with the query ("Butter, salted" for
        # "butter"), then by text rank, shorter (more generic) names first.
        tier = case(
            (desc == needle, 0),
            (desc.startswith(needle + ","), 1),
            (desc.startswith(needle), 2),
            else_=3,
        )
        order = [tier, func.ts_rank_cd(Food.search, tsq).desc(), func.length(Food.description)]
    else:
        order = [Food.description]
    stmt: Select[Any] = select(Food).where(*where).order_by(*order, Food.id)
    total = (
        await session.execute(select(func.count()).select_from(Food).where(*where))
    ).scalar_one()
    items = (await session.execute(stmt.offset(offset).limit(limit))).scalars().all()
    return list(items), int(total)


async def get(session: AsyncSession, food_id: int, *, source: str | None = None) -> Food | None:
    stmt = select(Food).where(Food.id == food_id)
    if source is not None:
        stmt = stmt.where(Food.source == source)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_many(session: AsyncSession, food_ids: Sequence[int]) -> dict[int, Food]:
    if not food_ids:
        return {}
    rows = await session.execute(select(Food).where(Food.id.in_(set(food_ids))))
    return {f.id: f for f in rows.scalars()}


async def portions(session: AsyncSession, food_id: int) -> list[Portion]:
    stmt = select(Portion).where(Portion.food_id == food_id).order_by(Portion.seq)
    return list((await session.execute(stmt)).scalars())


async def next_custom_id(session: AsyncSession) -> int:
    return int((await session.execute(select(custom_food_id_seq.next_value()))).scalar_one())


async def add(session: AsyncSession, food: Food) -> None:
    session.add(food)
    await session.flush()


async def replace_portions(session: AsyncSession, food_id: int, portions: list[Portion]) -> None:
    await session.execute(delete(Portion).where(Portion.food_id == food_id))
    session.add_all(portions)
    await session.flush()


async def delete_food(session: AsyncSession, food: Food) -> None:
    await session.delete(food)
    await session.flush()


async def all_suggestible(session: AsyncSession) -> list[Food]:
    """Every food the planner may pick (role set); the pool cache filters the rest."""
    stmt = select(Food).where(Food.role.is_not(None)).order_by(Food.id)
    return list((await session.execute(stmt)).scalars())
