"""``run_worker``: the one process runner for every service's workers and consumers.

A worker process is a database engine, optionally a Kafka broker with the service's subscribers,
and a few long-running jobs (periodic loops). The runner owns what every such process repeats:
JSON logging, ``/metrics`` (``start_metrics_server``), SIGTERM/SIGINT → graceful stop, and the
shutdown order (stop consuming first, then let the jobs finish their round, then the engine).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitness_platform.db import create_engine, create_sessionmaker
from fitness_platform.events import make_broker, one_consumer_group
from fitness_platform.logging import configure_logging
from fitness_platform.observability import start_metrics_server
from fitness_platform.process import lower_priority_from_env
from fitness_platform.settings import ServiceSettings

log = logging.getLogger("fitness_platform.worker")


@dataclass(frozen=True)
class WorkerContext:
    """What ``build`` and the jobs get. ``broker`` is None when the process has no ``build``."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    broker: KafkaBroker | None
    stop: asyncio.Event


Build = Callable[[WorkerContext], None]
Job = Callable[[WorkerContext], Awaitable[None]]


class WorkerFailedError(RuntimeError):
    """A job raised: the process stops (exit status 1) so its supervisor restarts it."""


async def serve_worker(
    settings: ServiceSettings,
    stop: asyncio.Event,
    *,
    name: str = "worker",
    build: Build | None = None,
    jobs: Sequence[Job] = (),
    shutdown_timeout_s: float = 20.0,
) -> None:
    """Run until ``stop`` is set (or a job fails, which raises ``WorkerFailedError``).

    ``build(ctx)`` registers subscribers on ``ctx.broker`` (created only when ``build`` is
    given; started after ``build``); its ``consume()`` calls share the Kafka consumer group
    ``<service>.<name>``. Each job is ``async def job(ctx)`` that returns once
    ``ctx.stop`` is set; a job still running ``shutdown_timeout_s`` after the stop is cancelled.
    """
    engine = create_engine(settings)
    broker = make_broker(settings) if build is not None else None
    ctx = WorkerContext(settings, engine, create_sessionmaker(engine), broker, stop)
    failed: list[str] = []

    async def guarded(job: Job) -> None:
        try:
            await job(ctx)
        except Exception:
            job_name = getattr(job, "__name__", repr(job))
            log.exception("worker job failed", extra={"job": job_name})
            failed.append(job_name)
            stop.set()

    tasks: list[asyncio.Task[None]] = []
    try:
        if build is not None and broker is not None:
            # One Kafka consumer group per process for all its consumers (one_consumer_group).
            with one_consumer_group(broker, settings, name):
                build(ctx)
            await broker.start()
        tasks = [
            asyncio.create_task(guarded(job), name=getattr(job, "__name__", None)) for job in jobs
        ]
        log.info(f"{settings.service_name} {name} started")
        await stop.wait()
    finally:
        stop.set()
        if broker is not None:
            await broker.stop()
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=shutdown_timeout_s)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await engine.dispose()
        log.info(f"{settings.service_name} {name} stopped")
    if failed:
        raise WorkerFailedError(f"worker job(s) failed: {', '.join(failed)}")


def run_worker(
    settings: ServiceSettings,
    *,
    name: str = "worker",
    build: Build | None = None,
    jobs: Sequence[Job] = (),
    shutdown_timeout_s: float = 20.0,
) -> None:
    """Process entry (``python -m <service>.worker``): runs until SIGTERM/SIGINT, exit 0.

    Logs as ``<service_name>-<name>``; serves ``/metrics`` on ``worker_metrics_port`` (else
    ``relay_metrics_port``) when set. A failing job ends the process with status 1.
    """
    configure_logging(f"{settings.service_name}-{name}", settings.log_level)
    lower_priority_from_env()
    start_metrics_server(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve_worker(
            settings,
            stop,
            name=name,
            build=build,
            jobs=jobs,
            shutdown_timeout_s=shutdown_timeout_s,
        )

    try:
        asyncio.run(main())
    except WorkerFailedError:
        raise SystemExit(1) from None
