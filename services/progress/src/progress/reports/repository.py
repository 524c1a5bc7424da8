"""SQL of the weekly reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, true, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from progress.activity.models import IntakeDay, Workout
from progress.db import user_profiles
from progress.reports.models import Report
from progress.weights.models import WeightEntry


async def get(session: AsyncSession, user_id: UUID, report_id: UUID) -> Report | None:
    stmt = select(Report).where(Report.id == report_id, Report.user_id == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def save(
    session: AsyncSession,
    *,
    report_id: UUID,
    user_id: UUID,
    week_start: date,
    body: dict[str, Any],
    chart_key: str,
    trigger: str,
    replace: bool,
) -> tuple[UUID, bool] | None:
    """Insert the week's report; on a conflict replace it (``replace``) or do nothing (None).
    Returns (id, created)."""
    stmt = insert(Report).values(
        id=report_id,
        user_id=user_id,
        week_start=week_start,
        body=body,
        chart_key=chart_key,
        trigger=trigger,
    )
    if replace:
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id", "week_start"],
            set_={"body": body, "chart_key": chart_key, "updated_at": func.now()},
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=["user_id", "week_start"])
    row = (await session.execute(stmt.returning(Report.id, text("(xmax = 0) AS created")))).first()
    return (row[0], bool(row[1])) if row else None


async def active_users(
    session: AsyncSession, since: date, *, after: UUID | None, limit: int
) -> Sequence[tuple[UUID, str]]:
    """Users with any weigh-in, diary day or workout since ``since``, with their timezone, in
    id order after ``after`` (keyset pages)."""
    ids = union(
        select(WeightEntry.user_id).where(WeightEntry.day >= since),
        select(IntakeDay.user_id).where(IntakeDay.day >= since),
        select(Workout.user_id).where(Workout.local_date >= since, Workout.deleted.is_(False)),
    ).subquery()
    stmt = (
        select(ids.c.user_id, func.coalesce(user_profiles.c.timezone, "UTC"))
        .select_from(ids.outerjoin(user_profiles, user_profiles.c.user_id == ids.c.user_id))
        .where(ids.c.user_id > after if after is not None else true())
        .order_by(ids.c.user_id)
        .limit(limit)
    )
    return [(r[0], r[1]) for r in (await session.execute(stmt)).all()]


async def existing_weeks(
    session: AsyncSession, user_ids: Sequence[UUID], since: date
) -> set[tuple[UUID, date]]:
    if not user_ids:
        return set()
    stmt = select(Report.user_id, Report.week_start).where(
        Report.user_id.in_(user_ids), Report.week_start >= since
    )
    return {(r[0], r[1]) for r in (await session.execute(stmt)).all()}
