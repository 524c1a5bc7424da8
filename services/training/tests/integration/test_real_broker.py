"""The consumer process's subscribers on the real broker (what ``python -m training.consumer``
starts): published progress.weight and identity.user events, each delivered twice."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from aiokafka import AIOKafkaProducer

from fitness_contracts.identity import UserDeletedV1
from fitness_contracts.progress import WeightRecordedV1
from fitness_platform.events import cloudevent_headers
from fitness_platform.testing import user_row_counts, wait_until

RUNNING_6MPH = 9


@pytest.fixture
async def consumer(settings, session_factory):
    from fitness_platform.events import make_broker
    from training import consumers

    broker = make_broker(settings)
    consumers.register(broker, settings=settings, session_factory=session_factory)
    await broker.start()
    yield broker
    await broker.stop()


async def publish(bootstrap: str, event, event_id: uuid.UUID, source: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(
            event.topic,
            event.model_dump_json(by_alias=True).encode(),
            key=str(event.user_id).encode(),
            headers=cloudevent_headers(
                event_type=event.event_type,
                source=source,
                event_id=event_id,
                time=datetime.now(UTC),
                subject=str(event.user_id),
            ),
        )
    finally:
        await producer.stop()


# The groups start from the earliest offset of topics other services' tests also write to in a
# whole `make test` session, so the deadlines leave room for that backlog.
async def test_weight_then_deletion_through_the_broker(
    consumer, client, user, kafka_bootstrap, db, rows
) -> None:
    w = await client.post(
        "/workouts",
        json={
            "title": "Run",
            "startedAt": "2026-07-02T08:00:00+00:00",
            "durationMin": 30,
            "exercises": [{"exerciseId": RUNNING_6MPH}],
        },
        headers=user.headers,
    )
    assert w.json()["caloriesBurned"] == 343.0
    weight = WeightRecordedV1(
        user_id=user.id, date=date(2026, 7, 1), weight_kg=82.0, recorded_at=datetime.now(UTC)
    )
    weight_id = uuid.uuid4()
    # Delivered twice (a producer retry after a lost ack looks exactly like this).
    await publish(kafka_bootstrap, weight, weight_id, "/progress")
    await publish(kafka_bootstrap, weight, weight_id, "/progress")

    async def reestimated() -> bool:
        got = await client.get(f"/workouts/{w.json()['id']}", headers=user.headers)
        return got.json()["caloriesBurned"] == 401.8

    await wait_until(reestimated, timeout=90, message="re-estimate from the weight event")

    async def both_seen() -> bool:
        found = await rows(db, "SELECT count(*) FROM inbox WHERE event_id = %s", weight_id)
        return found[0][0] == 1

    await wait_until(both_seen, timeout=30, message="inbox row")
    events = await rows(
        db,
        "SELECT count(*) FROM outbox WHERE key = %s AND payload->>'reason' = 'reestimated'",
        str(user.id),
    )
    assert events[0][0] == 1

    deleted = UserDeletedV1(user_id=user.id, deleted_at=datetime.now(UTC))
    await publish(kafka_bootstrap, deleted, uuid.uuid4(), "/identity")

    async def erased() -> bool:
        return all(n == 0 for n in (await user_row_counts(db, user.id)).values())

    await wait_until(erased, timeout=90, message="erasure")
