"""Background worker: ``python -m nutrition.worker``.

Consumes ``identity.user`` (profile read model, recalculation, GDPR erasure) and runs the weekly
achievements check for every user on a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from fitness_platform.db import create_engine, create_sessionmaker
from fitness_platform.events import make_broker
from fitness_platform.logging import configure_logging
from nutrition import consumers
from nutrition.achievements import jobs as achievement_jobs
from nutrition.settings import NutritionSettings, get_settings

log = logging.getLogger(__name__)


async def run(settings: NutritionSettings, stop: asyncio.Event) -> None:
    engine = create_engine(settings)
    session_factory = create_sessionmaker(engine)
    broker = make_broker(settings)
    consumers.register(broker, settings=settings, session_factory=session_factory)
    await broker.start()
    job = asyncio.create_task(
        achievement_jobs.run_periodically(
            session_factory, interval_s=settings.achievements_check_interval_s, stop=stop
        ),
        name="weekly-achievements",
    )
    log.info("nutrition worker started")
    try:
        await stop.wait()
    finally:
        job.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await job
        await broker.stop()
        await engine.dispose()
        log.info("nutrition worker stopped")


def main() -> None:
    settings = get_settings()
    configure_logging(f"{settings.service_name}-worker", settings.log_level)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run(settings, stop)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
