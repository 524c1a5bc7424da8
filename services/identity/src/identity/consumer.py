"""Activity consumer process: ``python -m identity.consumer``.

Reads the domain topics (see :mod:`identity.consumers`) and records user activity days for the
admin engagement metrics. A process of its own, next to the API, the relay and the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from fitness_platform.db import create_engine, create_sessionmaker
from fitness_platform.events import make_broker
from fitness_platform.logging import configure_logging
from identity import consumers
from identity.settings import IdentitySettings, get_settings

log = logging.getLogger(__name__)

PRUNE_INTERVAL_S = 3600.0


async def _prune_periodically(
    settings: IdentitySettings, session_factory: Any, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            pruned = await consumers.prune_inbox(
                session_factory, service_name=settings.service_name
            )
            if pruned:
                log.info("pruned activity inbox", extra={"count": pruned})
        except Exception:
            # The database may be briefly away; the next round retries.
            log.warning("activity inbox prune failed", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=PRUNE_INTERVAL_S)


async def run(settings: IdentitySettings, stop: asyncio.Event) -> None:
    engine = create_engine(settings)
    session_factory = create_sessionmaker(engine)
    broker = make_broker(settings)
    consumers.register(broker, settings=settings, session_factory=session_factory)
    pruner = asyncio.create_task(_prune_periodically(settings, session_factory, stop))
    try:
        await broker.start()
        log.info("identity activity consumer started")
        await stop.wait()
    finally:
        stop.set()
        await pruner
        await broker.stop()
        await engine.dispose()
        log.info("identity activity consumer stopped")


def main() -> None:
    settings = get_settings()
    configure_logging(f"{settings.service_name}-consumer", settings.log_level)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run(settings, stop)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
