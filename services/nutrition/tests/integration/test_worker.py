"""The worker end to end through the real broker: identity.user events → read model,
recalculation (once, even when the event is delivered twice), erasure."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from aiokafka import AIOKafkaProducer

from fitness_contracts.identity import ProfileSnapshot, UserDeletedV1, UserProfileUpdatedV1
from fitness_platform.events import cloudevent_headers
from fitness_platform.testing import wait_until


@pytest.fixture
async def worker(settings, session_factory):
    """The worker's consumers on a real broker (what ``python -m nutrition.worker`` starts)."""
    from fitness_platform.events import make_broker
    from nutrition import consumers

    broker = make_broker(settings)
    consumers.register(broker, settings=settings, session_factory=session_factory)
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


async def test_profile_event_through_the_broker(worker, kafka_bootstrap, db, rows) -> None:
    user_id = uuid.uuid4()
    event = UserProfileUpdatedV1(
        user_id=user_id,
        profile=ProfileSnapshot(
            name="Bo",
            birth_date=date(1985, 6, 1),
            gender="male",
            height_cm=182.0,
            weight_kg=90.0,
            activity_level="active",
            goal="lose",
            target_rate_kg_per_week=0.5,
        ),
        changed_fields=["weight_kg"],
        updated_at=datetime.now(UTC),
    )
    event_id = uuid.uuid4()
    # Delivered twice (a producer retry after a lost ack looks exactly like this).
    await publish(kafka_bootstrap, event, event_id)
    await publish(kafka_bootstrap, event, event_id)

    async def calculations() -> int:
        return (await rows(db, "SELECT count(*) FROM calculations WHERE user_id = %s", user_id))[0][
            0
        ]

    async def inbox_done() -> bool:
        # Both copies handled by the profiles consumer: one effect, one inbox row.
        found = await rows(
            db,
            "SELECT count(*) FROM inbox WHERE event_id = %s AND consumer = 'nutrition.profiles'",
            event_id,
        )
        return found[0][0] == 1

    await wait_until(calculations, timeout=60, message="recalculation from the profile event")
    await wait_until(inbox_done, timeout=60, message="inbox row")
    # Publish a marker event after the duplicate: once it is processed, the duplicate was too.
    deleted = UserDeletedV1(user_id=user_id, deleted_at=datetime.now(UTC))
    await publish(kafka_bootstrap, deleted, uuid.uuid4())

    async def erased() -> bool:
        left = await rows(db, "SELECT count(*) FROM user_profiles WHERE user_id = %s", user_id)
        return left[0][0] == 0

    await wait_until(erased, timeout=60, message="erasure on deleted.v1")
    assert await calculations() == 0
    # Before erasure exactly one calculation existed: the outbox (unpublished here) kept
    # exactly one targets event for the user.
    events = await rows(
        db,
        "SELECT count(*) FROM outbox WHERE key = %s AND event_type = 'nutrition.targets.calculated.v1'",
        str(user_id),
    )
    assert events[0][0] == 1
