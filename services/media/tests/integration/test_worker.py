"""The cleanup jobs: expired pending assets go with their objects; objects without a row go
once past the grace period, never before (an upload in flight is safe)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

from media.assets import jobs


def keys(s3_client, bucket, prefix: str) -> list[str]:
    return [o.object_name for o in s3_client.list_objects(bucket, prefix=prefix, recursive=True)]


async def test_expired_pending_assets_are_deleted_with_objects(
    api, app, settings, user, db, s3_client, bucket
) -> None:
    pending = await api.request_upload(user)
    assert (await api.put(pending["upload"], api.JPEG)).status_code == 200
    ready = await api.ready_asset(user)
    factory, store = app.state.sessionmaker, app.state.store

    # Not yet expired: nothing happens.
    assert await jobs.expire_pending(factory, store, settings) == 0
    later = datetime.now(UTC) + timedelta(seconds=settings.pending_ttl_s + 60)
    assert await jobs.expire_pending(factory, store, settings, now=later) >= 1

    cur = await db.execute("SELECT id::text, status FROM assets WHERE user_id = %s", (user.id,))
    assert await cur.fetchall() == [(ready["id"], "ready")]
    assert keys(s3_client, bucket, f"{user.id}/") == [f"{user.id}/{ready['id']}"]
    cur = await db.execute(
        "SELECT payload->>'reason' FROM outbox WHERE payload->>'assetId' = %s", (pending["id"],)
    )
    assert await cur.fetchall() == [("expired",)]


async def test_orphan_objects_are_removed_after_the_grace_period(
    api, app, settings, user, s3_client, bucket
) -> None:
    ready = await api.ready_asset(user)
    orphan = f"{user.id}/{uuid.uuid4()}"
    s3_client.put_object(bucket, orphan, io.BytesIO(api.JPEG), len(api.JPEG), "image/jpeg")
    sweep = jobs.OrphanSweep(app.state.sessionmaker, app.state.store, settings)

    # Within the grace period the object might be an upload in flight: kept.
    assert await sweep.sweep() == 0
    assert orphan in keys(s3_client, bucket, f"{user.id}/")

    later = datetime.now(UTC) + timedelta(seconds=settings.orphan_grace_s + 60)
    assert await sweep.sweep(now=later) >= 1
    assert keys(s3_client, bucket, f"{user.id}/") == [f"{user.id}/{ready['id']}"]


async def test_sweep_pages_through_the_bucket(api, app, settings, user, s3_client, bucket) -> None:
    names = [f"{user.id}/{uuid.uuid4()}" for _ in range(5)]
    for name in names:
        s3_client.put_object(bucket, name, io.BytesIO(b"x"), 1, "image/jpeg")
    small = settings.model_copy(update={"cleanup_batch_size": 2})
    sweep = jobs.OrphanSweep(app.state.sessionmaker, app.state.store, small)
    later = datetime.now(UTC) + timedelta(seconds=settings.orphan_grace_s + 60)
    assert await sweep.sweep(now=later) >= 5
    assert sweep.cursor is None
    assert not set(names) & set(keys(s3_client, bucket, f"{user.id}/"))


async def test_old_inbox_ids_are_pruned(app, settings, db) -> None:
    old, recent = uuid.uuid4(), uuid.uuid4()
    await db.execute(
        "INSERT INTO inbox (consumer, event_id, processed_at) VALUES"
        " ('media.users', %s, now() - interval '30 days'), ('media.users', %s, now())",
        (old, recent),
    )
    assert await jobs.prune_processed_events(app.state.sessionmaker, settings) >= 1
    cur = await db.execute("SELECT event_id FROM inbox WHERE event_id IN (%s, %s)", (old, recent))
    assert await cur.fetchall() == [(recent,)]
