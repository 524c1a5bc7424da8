"""Worker jobs: expire abandoned uploads, remove objects that have no asset row."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.media import AssetDeletedV1
from fitness_platform.inbox import prune_inbox
from fitness_platform.outbox import add_event
from media import metrics
from media.assets import repository
from media.settings import MediaSettings
from media.storage.store import ObjectStore

log = logging.getLogger(__name__)


async def expire_pending(
    session_factory: async_sessionmaker[AsyncSession],
    store: ObjectStore,
    settings: MediaSettings,
    *,
    now: datetime | None = None,
) -> int:
    """Delete pending assets older than ``pending_ttl_s`` with their objects; returns how many."""
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=settings.pending_ttl_s)
    total = 0
    while True:
        async with session_factory() as session, session.begin():
            taken = await repository.take_expired_pending(
                session, created_before=cutoff, limit=settings.cleanup_batch_size
            )
            at = datetime.now(UTC)
            for asset in taken:
                await add_event(
                    session,
                    AssetDeletedV1(
                        asset_id=asset.id, user_id=asset.user_id, reason="expired", deleted_at=at
                    ),
                    key=str(asset.user_id),
                )
            keys = [a.object_key for a in taken]
        # Rows first (committed), objects second: a failure here leaves orphans for the sweep.
        await store.remove_many(keys)
        metrics.ASSETS_DELETED.labels("expired").inc(len(taken))
        total += len(taken)
        if len(taken) < settings.cleanup_batch_size:
            return total


@dataclass
class OrphanSweep:
    """Walks the bucket a page per call, in key order, resuming where it stopped, so a large
    bucket is covered over several rounds instead of listed whole each time."""

    session_factory: async_sessionmaker[AsyncSession]
    store: ObjectStore
    settings: MediaSettings
    cursor: str | None = None

    async def step(self, *, now: datetime | None = None) -> int:
        """One page: remove objects older than the grace period with no row; returns how many."""
        page = await self.store.list_objects(
            start_after=self.cursor, limit=self.settings.cleanup_batch_size
        )
        # Wrap around at the end of the bucket.
        self.cursor = page[-1].key if len(page) == self.settings.cleanup_batch_size else None
        cutoff = (now or datetime.now(UTC)) - timedelta(seconds=self.settings.orphan_grace_s)
        old = {o.key for o in page if o.last_modified is not None and o.last_modified < cutoff}
        async with self.session_factory() as session:
            known = await repository.existing_keys(session, old)
        orphans = sorted(old - known)
        # No event: an object without a row was never announced, or its deletion already was.
        await self.store.remove_many(orphans)
        metrics.ORPHANS_REMOVED.inc(len(orphans))
        if orphans:
            log.info("orphan objects removed", extra={"count": len(orphans)})
        return len(orphans)

    async def sweep(self, *, now: datetime | None = None) -> int:
        """A whole pass over the bucket."""
        self.cursor = None
        removed = await self.step(now=now)
        while self.cursor is not None:
            removed += await self.step(now=now)
        return removed


async def prune_processed_events(
    session_factory: async_sessionmaker[AsyncSession], settings: MediaSettings
) -> int:
    async with session_factory() as session, session.begin():
        return await prune_inbox(session, older_than=timedelta(days=settings.inbox_retention_days))


async def run_periodically(
    session_factory: async_sessionmaker[AsyncSession],
    store: ObjectStore,
    settings: MediaSettings,
    *,
    stop: asyncio.Event,
) -> None:
    sweep = OrphanSweep(session_factory, store, settings)
    while not stop.is_set():
        try:
            expired = await expire_pending(session_factory, store, settings)
            if expired:
                log.info("expired pending assets deleted", extra={"count": expired})
            await sweep.sweep()
            await prune_processed_events(session_factory, settings)
        except Exception:
            # S3 or the database away: try again next round rather than end the worker.
            log.warning("cleanup round failed", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.cleanup_interval_s)
