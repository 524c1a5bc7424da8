"""Outbox → Kafka through the relay the service runs: goal events reach goals.goal as
CloudEvents keyed by the user."""

from __future__ import annotations

import asyncio
import contextlib

from fitness_platform.db import create_engine
from fitness_platform.outbox import OutboxRelay, ProducerSettings
from fitness_platform.testing import consume_n, record_headers, record_json


async def test_goal_events_are_published_in_order(client, user, settings, kafka_bootstrap) -> None:
    created = await client.post(
        "/goals", json={"type": "calorie_adherence", "daysPerWeek": 5}, headers=user.headers
    )
    gid = created.json()["id"]
    await client.patch(f"/goals/{gid}", json={"daysPerWeek": 6}, headers=user.headers)
    await client.delete(f"/goals/{gid}", headers=user.headers)
    engine = create_engine(settings)
    relay = OutboxRelay(engine, settings.db_schema, ProducerSettings.from_settings(settings))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        records = await consume_n(
            kafka_bootstrap, "goals.goal", 3, timeout=60, key=str(user.id).encode()
        )
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        await engine.dispose()
    types = [record_headers(r)["ce_type"] for r in records]
    assert types == ["goals.goal.created.v1", "goals.goal.updated.v1", "goals.goal.deleted.v1"]
    assert record_headers(records[0])["ce_subject"] == str(user.id)
    created_payload, updated_payload, deleted_payload = (record_json(r) for r in records)
    assert created_payload["goal"]["goalId"] == gid
    assert created_payload["goal"]["targetValue"] == 5
    assert updated_payload["changedFields"] == ["targetValue"]
    assert updated_payload["goal"]["targetValue"] == 6
    assert deleted_payload["goalId"] == gid
