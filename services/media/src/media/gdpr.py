"""GDPR erasure on identity.user.deleted.v1: every object and every row of the user."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.media import AssetDeletedV1
from fitness_platform.gdpr import erase_user_rows
from fitness_platform.outbox import add_event
from media import metrics
from media.assets import repository
from media.db import Base, import_models
from media.domain.uploads import user_prefix
from media.storage.store import ObjectStore, StorageUnavailable

log = logging.getLogger(__name__)


async def erase_user(session: AsyncSession, user_id: UUID, *, store: ObjectStore) -> None:
    """Runs in the consumer's inbox transaction. The rows go whatever S3 does; if S3 is away the
    objects, now without rows, are the orphan sweep's (removed once S3 answers) — rather than
    retrying the event into the dead-letter topic with the user's rows still there."""
    import_models()
    assets = await repository.delete_all_of_user(session, user_id)
    await erase_user_rows(session, Base.metadata, user_id)
    now = datetime.now(UTC)
    for asset in assets:
        # Other services refer to media by id: tell them these ids are gone.
        await add_event(
            session,
            AssetDeletedV1(
                asset_id=asset.id, user_id=user_id, reason="account_deleted", deleted_at=now
            ),
            key=str(user_id),
        )
    # By prefix, not by row: an object uploaded without a row (or after a crash) goes too.
    try:
        objects = await store.list_objects(user_prefix(user_id))
        await store.remove_many(o.key for o in objects)
    except StorageUnavailable:
        log.warning("objects left to the orphan sweep", extra={"erased_user_id": str(user_id)})
        objects = []
    metrics.ASSETS_DELETED.labels("account_deleted").inc(len(assets))
    log.info(
        "user media erased",
        extra={"erased_user_id": str(user_id), "assets": len(assets), "objects": len(objects)},
    )
