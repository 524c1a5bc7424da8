"""Queries on stored personal plans."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nutrition.plans.models import PersonalPlan


async def add(session: AsyncSession, row: PersonalPlan) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, *, user_id: UUID, plan_id: UUID) -> PersonalPlan | None:
    stmt = select(PersonalPlan).where(PersonalPlan.id == plan_id, PersonalPlan.user_id == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession, *, user_id: UUID, offset: int, limit: int
) -> tuple[list[PersonalPlan], int]:
    where = PersonalPlan.user_id == user_id
    total = (
        await session.execute(select(func.count()).select_from(PersonalPlan).where(where))
    ).scalar_one()
    stmt = (
        select(PersonalPlan)
        .where(where)
        .order_by(PersonalPlan.created_at.desc(), PersonalPlan.id)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), int(total)
