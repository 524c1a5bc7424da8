"""Outbox → Kafka through the relay the service runs: the diary event reaches its topic as a
CloudEvent keyed by the user."""

from __future__ import annotations

import asyncio
import contextlib

from fitness_platform.db import create_engine
from fitness_platform.outbox import OutboxRelay, ProducerSettings
from fitness_platform.testing import consume_n, record_headers, record_json


async def test_intake_event_is_published(client, user, settings, kafka_bootstrap) -> None:
    resp = await client.post(
        "/nutrition/diary",
        json={"date": "2026-02-02", "mealSlot": "breakfast", "foodId": 1001, "grams": 20},
        headers=user.headers,
    )
    assert resp.status_code == 201
    engine = create_engine(settings)
    relay = OutboxRelay(engine, settings.db_schema, ProducerSettings.from_settings(settings))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        records = await consume_n(
            kafka_bootstrap, "nutrition.intake", 1, timeout=60, key=str(user.id).encode()
        )
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        await engine.dispose()
    headers = record_headers(records[0])
    assert headers["ce_type"] == "nutrition.intake.logged.v1"
    assert headers["ce_subject"] == str(user.id)
    payload = record_json(records[0])
    assert payload["entryId"] == resp.json()["id"]
    assert payload["dayTotals"]["kcal"] == 143.4
