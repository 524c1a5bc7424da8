"""Outbox → Kafka through the relay the service runs: weight events reach progress.weight as
CloudEvents keyed by the user, with the payload training and goals consume."""

from __future__ import annotations

import asyncio
import contextlib

from fitness_contracts.progress import WeightDeletedV1, WeightRecordedV1
from fitness_platform.db import create_engine
from fitness_platform.outbox import OutboxRelay, ProducerSettings
from fitness_platform.testing import consume_n, record_headers, record_json


async def test_weight_events_are_published(client, user, settings, kafka_bootstrap) -> None:
    body = {"date": "2026-02-10", "weightKg": 81.5, "bodyFatPct": 24.0}
    assert (
        await client.post("/progress/weight", json=body, headers=user.headers)
    ).status_code == 201
    assert (
        await client.delete("/progress/weight/2026-02-10", headers=user.headers)
    ).status_code == 204
    engine = create_engine(settings)
    relay = OutboxRelay(engine, settings.db_schema, ProducerSettings.from_settings(settings))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        records = await consume_n(
            kafka_bootstrap, "progress.weight", 2, timeout=60, key=str(user.id).encode()
        )
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        await engine.dispose()
    types = [record_headers(r)["ce_type"] for r in records]
    assert types == [WeightRecordedV1.event_type, WeightDeletedV1.event_type]
    assert record_headers(records[0])["ce_subject"] == str(user.id)
    recorded = WeightRecordedV1.model_validate(record_json(records[0]))
    assert recorded.user_id == user.id
    assert recorded.weight_kg == 81.5
    assert recorded.body_fat_pct == 24.0
    assert recorded.trend_weight_kg == 81.5
    assert recorded.replaced is False
    deleted = WeightDeletedV1.model_validate(record_json(records[1]))
    assert str(deleted.date) == "2026-02-10"
