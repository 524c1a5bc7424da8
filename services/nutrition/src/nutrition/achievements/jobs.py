"""Scheduled weekly check for every user (run by the worker).

Safe to run as often as we like, from several workers at once: each achievement is inserted
once (unique constraint) and its event is written in the same transaction as the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nutrition.achievements import service
from nutrition.diary import repository as diary_repository

log = logging.getLogger(__name__)


async def check_all_users(
    session_factory: async_sessionmaker[AsyncSession], *, now: datetime | None = None
) -> int:
    """Check every user who logged food in the last two weeks; returns achievements unlocked."""
    now = now or datetime.now(UTC)
    # Two weeks back plus a day covers "last completed week" in every timezone.
    start = (now - timedelta(days=15)).date()
    end = (now + timedelta(days=1)).date()
    async with session_factory() as session:
        users = await diary_repository.users_with_entries(session, start=start, end=end)
    unlocked = 0
    for user_id in users:
        try:
            async with session_factory() as session:
                result = await service.check_last_week(session=session, user_id=user_id, now=now)
                unlocked += len(result.unlocked)
        except Exception:
            # One user's bad data must not stop the others; the next run retries.
            log.exception("weekly achievement check failed", extra={"check_user_id": str(user_id)})
    log.info("weekly achievements checked", extra={"users": len(users), "unlocked": unlocked})
    return unlocked


async def run_periodically(
    session_factory: async_sessionmaker[AsyncSession], *, interval_s: float, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            await check_all_users(session_factory)
        except Exception:
            log.exception("weekly achievement run failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
