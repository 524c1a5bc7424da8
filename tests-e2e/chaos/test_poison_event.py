"""Poison events on a live topic: an unparseable payload and a known event type in a version no
consumer knows. Each consumer group moves them to `<topic>.dlq` with the error in a header, and
the partition is not blocked: a valid event behind them (same key, so same partition) is applied.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import httpx
import orjson
import psycopg
import pytest
from aiokafka import AIOKafkaProducer

from e2e.accounts import register_and_login
from e2e.chaos import SUBSCRIBERS, ChaosFleet, ok
from fitness_platform.testing import consume_n, record_headers, wait_until

# The package's fleet starts inside the first test's setup (~100 s on a loaded 2-core box).
pytestmark = [
    pytest.mark.timeout(600),
]

TOPIC = "training.workout"


def _headers(event_type: str, subject: str) -> list[tuple[str, bytes]]:
    values = {
        "ce_specversion": "1.0",
        "ce_id": str(uuid.uuid4()),
        "ce_type": event_type,
        "ce_source": "/chaos-tests",
        "ce_time": datetime.now(UTC).isoformat(),
        "ce_subject": subject,
        "content-type": "application/json",
    }
    return [(k, v.encode()) for k, v in values.items()]


async def test_poison_events_are_dead_lettered_without_blocking_the_partition(
    chaos: ChaosFleet, gw: httpx.AsyncClient, db: psycopg.AsyncConnection
) -> None:
    acc = await register_and_login(gw, name="Poison")
    unparseable = _headers("training.workout.created.v1", acc.id)
    future = _headers("training.workout.created.v99", acc.id)
    future_body = {"workout": {"id": str(uuid.uuid4()), "userId": acc.id}, "schemaOfTheFuture": 1}
    producer = AIOKafkaProducer(bootstrap_servers=chaos.endpoints.kafka_bootstrap)
    await producer.start()
    try:
        key = acc.id.encode()
        await producer.send_and_wait(TOPIC, b'{"workout": {not json', key=key, headers=unparseable)
        await producer.send_and_wait(TOPIC, orjson.dumps(future_body), key=key, headers=future)
    finally:
        await producer.stop()

    # A valid event behind the poison, on the same partition (same key): the relay's.
    r = ok(
        await gw.post(
            "/workouts",
            headers=acc.auth,
            json={"title": "After", "startedAt": datetime.now(UTC).isoformat(), "durationMin": 20},
        ),
        201,
    )
    workout_id = r.json()["id"]

    async def applied() -> bool:
        counts = []
        for table in ("progress.workouts", "goals.workouts"):
            cur = await db.execute(
                f"SELECT count(*) FROM {table} WHERE workout_id = %s",  # noqa: S608
                (workout_id,),
            )
            row = await cur.fetchone()
            counts.append(row[0] if row else 0)
        return counts == [1, 1]

    await wait_until(applied, timeout=90, interval=0.5, message="valid event behind the poison")

    groups = SUBSCRIBERS[TOPIC]
    poison_ids = {dict(unparseable)["ce_id"].decode(), dict(future)["ce_id"].decode()}
    records = await consume_n(
        chaos.endpoints.kafka_bootstrap, f"{TOPIC}.dlq", 2 * len(groups), timeout=60, key=key
    )
    per_event: Counter[str] = Counter()
    for record in records:
        headers = record_headers(record)
        per_event[headers["ce_id"]] += 1
        assert headers["error"], headers
        assert headers["dlq_source"].startswith(f"{TOPIC}/")
        if headers["ce_id"] == dict(unparseable)["ce_id"].decode():
            assert "JSON" in headers["error"]
            assert record.value == b'{"workout": {not json'
        else:
            assert "v99" in headers["error"]
    # One dead letter per subscribed group and poison event; nothing else went there.
    assert per_event == dict.fromkeys(poison_ids, len(groups))
    for schema in ("progress", "goals", "identity"):
        cur = await db.execute(
            f"SELECT count(*) FROM {schema}.inbox WHERE event_id = ANY(%s)",  # noqa: S608
            ([uuid.UUID(i) for i in poison_ids],),
        )
        row = await cur.fetchone()
        assert row is not None
        assert row[0] == 0, f"{schema} recorded a poison event as processed"
