"""SQL for ``user_activity`` and the reads behind the engagement metrics."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, exists, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.outbox.tables import INBOX
from identity.activity.models import UserActivity
from identity.users.models import User, UserStatus


async def mark_active(session: AsyncSession, *, user_id: uuid.UUID, day: date) -> bool:
    """Insert (user, day) unless present; nothing for an unknown or deleted user.

    Returns True when a row was added. The user check is in the same statement so a late event
    for an erased account neither fails on the foreign key nor resurrects any data.
    """
    live_user = exists().where(User.id == user_id, User.status != UserStatus.DELETED.value)
    source = select(literal(user_id).label("user_id"), literal(day).label("day")).where(live_user)
    stmt = (
        insert(UserActivity)
        .from_select(["user_id", "day"], source)
        .on_conflict_do_nothing(index_elements=["user_id", "day"])
        .returning(UserActivity.user_id)
    )
    return (await session.execute(stmt)).first() is not None


async def activity_between(
    session: AsyncSession, *, first: date, last: date
) -> list[tuple[uuid.UUID, date]]:
    stmt = select(UserActivity.user_id, UserActivity.day).where(
        UserActivity.day >= first, UserActivity.day <= last
    )
    return [(row.user_id, row.day) for row in await session.execute(stmt)]


async def signups_between(
    session: AsyncSession, *, first: date, last: date
) -> dict[uuid.UUID, date]:
    """Signup day (UTC) of every account created in ``first..last`` (deleted ones included)."""
    lo = datetime.combine(first, time.min, tzinfo=UTC)
    hi = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    day = func.date(func.timezone("UTC", User.created_at))
    stmt = select(User.id, day.label("day")).where(User.created_at >= lo, User.created_at < hi)
    return {row.id: row.day for row in await session.execute(stmt)}


async def prune_inbox(session: AsyncSession, *, consumers: list[str], older_than: timedelta) -> int:
    """Forget processed event ids of these consumers only (other consumers keep theirs)."""
    stmt = delete(INBOX).where(
        INBOX.c.consumer.in_(consumers), INBOX.c.processed_at < func.now() - older_than
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
