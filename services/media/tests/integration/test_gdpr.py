"""identity.user.deleted.v1 through the real broker: every object and row of the user is gone,
a redelivery changes nothing, other users keep theirs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer

from fitness_contracts.identity import UserDeletedV1, UserLoggedInV1
from fitness_platform.events import cloudevent_headers
from fitness_platform.testing import user_row_counts, wait_until


@pytest.fixture
async def worker(settings, app):
    """The worker's consumer on a real broker (what ``python -m media.worker`` starts)."""
    from fitness_platform.events import make_broker
    from media import consumers

    broker = make_broker(settings)
    consumers.register(
        broker, settings=settings, session_factory=app.state.sessionmaker, store=app.state.store
    )
    await broker.start()
    yield broker
    await broker.stop()


async def publish(bootstrap: str, event, event_id: uuid.UUID) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(
            event.topic,
            event.model_dump_json(by_alias=True).encode(),
            key=str(event.user_id).encode(),
            headers=cloudevent_headers(
                event_type=event.event_type,
                source="/identity",
                event_id=event_id,
                time=datetime.now(UTC),
                subject=str(event.user_id),
            ),
        )
    finally:
        await producer.stop()


def keys(s3_client, bucket, user_id) -> list[str]:
    return [o.object_name for o in s3_client.list_objects(bucket, prefix=f"{user_id}/")]


async def test_account_deletion_erases_objects_and_rows(
    worker, api, client, user, other_user, db, s3_client, bucket, kafka_bootstrap
) -> None:
    ready = await api.ready_asset(user)
    await api.ready_asset(user, api.PNG, "image/png")
    pending = await api.request_upload(user)
    # A pending asset whose bytes are already in the bucket goes too.
    assert (await api.put(pending["upload"], api.JPEG)).status_code == 200
    kept = await api.ready_asset(other_user)
    assert len(keys(s3_client, bucket, user.id)) == 3
    assert (await user_row_counts(db, user.id))["assets"] == 3

    event_id = uuid.uuid4()
    deleted = UserDeletedV1(user_id=user.id, deleted_at=datetime.now(UTC))
    await publish(kafka_bootstrap, deleted, event_id)

    async def erased() -> bool:
        counts = await user_row_counts(db, user.id)
        return all(v == 0 for v in counts.values()) and not keys(s3_client, bucket, user.id)

    await wait_until(erased, timeout=60, message="erasure on identity.user.deleted.v1")
    cur = await db.execute(
        "SELECT count(*) FROM outbox WHERE key = %s AND payload->>'reason' = 'account_deleted'",
        (str(user.id),),
    )
    assert await cur.fetchone() == (3,)

    # Redelivery of the same event, then a marker event: once the marker is seen, the duplicate
    # was handled before it (same partition) and changed nothing.
    await publish(kafka_bootstrap, deleted, event_id)
    marker_id = uuid.uuid4()
    await publish(kafka_bootstrap, UserLoggedInV1(user_id=user.id, at=datetime.now(UTC)), marker_id)

    async def marker_seen() -> bool:
        cur = await db.execute("SELECT count(*) FROM inbox WHERE event_id = %s", (marker_id,))
        return (await cur.fetchone()) == (1,)

    await wait_until(marker_seen, timeout=60, message="marker event handled")
    cur = await db.execute("SELECT count(*) FROM inbox WHERE event_id = %s", (event_id,))
    assert await cur.fetchone() == (1,)
    cur = await db.execute(
        "SELECT count(*) FROM outbox WHERE key = %s AND payload->>'reason' = 'account_deleted'",
        (str(user.id),),
    )
    assert await cur.fetchone() == (3,)
    # The other user is untouched.
    assert keys(s3_client, bucket, other_user.id) == [f"{other_user.id}/{kept['id']}"]
    got = await client.get(f"/media/{kept['id']}", headers=other_user.headers)
    assert got.status_code == 200
    assert (await client.get(f"/media/{ready['id']}", headers=user.headers)).status_code == 404
