"""The weekly job: after each user's local Monday 06:00, build last week's report once.

"Once" holds across reruns and replicas: a week already stored is skipped before any work, and
the unique (user_id, week_start) constraint makes a concurrent second build a no-op.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_platform.calendar import iso_week_start
from fitness_platform.projections.user_profiles import zone_or_utc
from progress.reports import repository, service
from progress.storage import ChartStore

log = logging.getLogger(__name__)

# Users with activity in the last 15 days can have something in last week (any zone).
LOOKBACK_DAYS = 15


def due_week(now: datetime, zone_name: str, local_hour: int) -> date:
    """The Monday of the last week whose report is due at ``now`` in this zone: last week once
    this week's Monday ``local_hour`` o'clock has passed there, else the week before."""
    zone = zone_or_utc(zone_name)
    local = now.astimezone(zone)
    monday = iso_week_start(local.date())
    if local < datetime.combine(monday, time(local_hour), zone):
        monday -= timedelta(days=7)
    return monday - timedelta(days=7)


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    store: ChartStore,
    *,
    now: datetime,
    local_hour: int,
    batch_size: int,
) -> int:
    """One pass over every active user; returns how many reports were built."""
    built = 0
    after: UUID | None = None
    since = now.date() - timedelta(days=LOOKBACK_DAYS)
    while True:
        async with sessionmaker() as session:
            page = await repository.active_users(session, since, after=after, limit=batch_size)
            if not page:
                return built
            after = page[-1][0]
            due = {uid: due_week(now, zone, local_hour) for uid, zone in page}
            done = await repository.existing_weeks(session, list(due), min(due.values()))
        for user_id, week in due.items():
            if (user_id, week) in done:
                continue
            try:
                async with sessionmaker() as session:
                    result = await service.build(
                        session=session,
                        store=store,
                        user_id=user_id,
                        week_start=week,
                        trigger="schedule",
                        replace=False,
                    )
            except Exception:
                # One user's failure (S3 hiccup, bad data) must not stop everyone's reports; the
                # week stays unbuilt and the next pass tries it again.
                log.exception("weekly report failed", extra={"report_user_id": str(user_id)})
                continue
            if result is not None:
                built += 1
        if len(page) < batch_size:
            return built


async def run_periodically(
    sessionmaker: async_sessionmaker[AsyncSession],
    store: ChartStore,
    *,
    interval_s: float,
    local_hour: int,
    batch_size: int,
    stop: asyncio.Event,
) -> None:
    while not stop.is_set():
        try:
            # Created here too (not only by the API): the worker may start first.
            await store.ensure_bucket()
            built = await run_once(
                sessionmaker,
                store,
                now=datetime.now(UTC),
                local_hour=local_hour,
                batch_size=batch_size,
            )
        except Exception:
            # Database or S3 unreachable and the like: try again next round instead of exiting.
            log.exception("weekly report pass failed")
            built = 0
        if built:
            log.info("weekly reports built", extra={"reports": built})
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except TimeoutError:
            continue
