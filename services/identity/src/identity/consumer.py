"""Activity consumer process: ``python -m identity.consumer``.

Reads the domain topics (see :mod:`identity.consumers`) and records user activity days for the
admin engagement metrics. A process of its own, next to the API, the relay and the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fitness_platform.worker import WorkerContext, run_worker
from identity import consumers
from identity.settings import get_settings

log = logging.getLogger(__name__)

PRUNE_INTERVAL_S = 3600.0


def build(ctx: WorkerContext) -> None:
    assert ctx.broker is not None
    consumers.register(ctx.broker, settings=ctx.settings, session_factory=ctx.sessionmaker)


async def prune_periodically(ctx: WorkerContext) -> None:
    while not ctx.stop.is_set():
        try:
            pruned = await consumers.prune_inbox(
                ctx.sessionmaker, service_name=ctx.settings.service_name
            )
            if pruned:
                log.info("pruned activity inbox", extra={"count": pruned})
        except Exception:
            # The database may be briefly away; the next round retries.
            log.warning("activity inbox prune failed", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stop.wait(), timeout=PRUNE_INTERVAL_S)


def main() -> None:
    run_worker(get_settings(), name="consumer", build=build, jobs=[prune_periodically])


if __name__ == "__main__":
    main()
