"""Consumer process: ``python -m goals.consumer`` (read models, auto-progress, GDPR erasure),
plus the periodic inbox prune."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_platform.inbox import prune_inbox
from fitness_platform.sync import prune_tombstones_periodically
from fitness_platform.worker import WorkerContext, run_worker
from goals import consumers
from goals.settings import GoalsSettings, get_settings

log = logging.getLogger(__name__)


async def prune_once(
    session_factory: async_sessionmaker[AsyncSession], settings: GoalsSettings
) -> int:
    async with session_factory() as session, session.begin():
        return await prune_inbox(session, older_than=timedelta(days=settings.inbox_retention_days))


def main() -> None:
    settings = get_settings()

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(ctx.broker, settings=settings, session_factory=ctx.sessionmaker)

    async def prune_periodically(ctx: WorkerContext) -> None:
        while not ctx.stop.is_set():
            pruned = await prune_once(ctx.sessionmaker, settings)
            if pruned:
                log.info("inbox pruned", extra={"pruned": pruned})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.stop.wait(), timeout=settings.inbox_prune_interval_s)

    jobs = [prune_periodically, prune_tombstones_periodically]
    run_worker(settings, name="consumer", build=build, jobs=jobs)


if __name__ == "__main__":
    main()
