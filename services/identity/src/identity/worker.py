"""Background worker: ``python -m identity.worker``.

Two loops in one process: the email sender (``email_outbox`` → SMTP, retried with backoff) and
the scheduled hard delete of accounts whose deletion grace period has ended.
SIGTERM/SIGINT stop both after the current batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_platform.worker import Job, WorkerContext, run_worker, serve_worker
from identity.deletion.service import purge_expired
from identity.email.sender import Transport, send_due
from identity.settings import IdentitySettings, get_settings

log = logging.getLogger("identity.worker")

# After an unexpected error (database down, ...) a loop waits this long before trying again.
_ERROR_PAUSE_S = 5.0


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def email_loop(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: IdentitySettings,
    stop: asyncio.Event,
    *,
    transport: Transport | None = None,
) -> None:
    while not stop.is_set():
        try:
            report = await send_due(sessionmaker, settings, transport=transport)
        except Exception:
            log.exception("email batch failed")
            await _wait(stop, _ERROR_PAUSE_S)
            continue
        # A full batch means more may be waiting: go on at once; else sleep until the next poll.
        if report.sent + report.failed < settings.email_batch_size:
            await _wait(stop, settings.email_poll_interval_s)


async def purge_loop(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: IdentitySettings,
    stop: asyncio.Event,
) -> None:
    grace = timedelta(seconds=settings.deletion_grace_period_s)
    while not stop.is_set():
        try:
            await purge_expired(sessionmaker, grace=grace)
        except Exception:
            log.exception("account purge failed")
            await _wait(stop, _ERROR_PAUSE_S)
            continue
        await _wait(stop, settings.purge_interval_s)


def jobs(*, transport: Transport | None = None) -> list[Job]:
    async def email(ctx: WorkerContext) -> None:
        await email_loop(ctx.sessionmaker, _settings(ctx), ctx.stop, transport=transport)

    async def purge(ctx: WorkerContext) -> None:
        await purge_loop(ctx.sessionmaker, _settings(ctx), ctx.stop)

    return [email, purge]


def _settings(ctx: WorkerContext) -> IdentitySettings:
    assert isinstance(ctx.settings, IdentitySettings)
    return ctx.settings


async def run(
    settings: IdentitySettings,
    stop: asyncio.Event,
    *,
    transport: Transport | None = None,
) -> None:
    """The worker in-process (tests); ``main`` is the same with signals, logs and metrics."""
    await serve_worker(settings, stop, jobs=jobs(transport=transport))


def main() -> None:
    run_worker(get_settings(), name="worker", jobs=jobs())


if __name__ == "__main__":
    main()
