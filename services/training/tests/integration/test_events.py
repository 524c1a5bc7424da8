"""Outbox → Kafka through the relay the service runs: the workout events reach
training.workout as CloudEvents keyed by the user, in order."""

from __future__ import annotations

import asyncio
import contextlib

from fitness_platform.db import create_engine
from fitness_platform.outbox import OutboxRelay, ProducerSettings
from fitness_platform.testing import consume_n, record_headers, record_json


async def test_workout_events_are_published_in_order(
    client, user, settings, kafka_bootstrap
) -> None:
    body = {
        "title": "Swim",
        "startedAt": "2026-02-02T06:30:00+00:00",
        "durationMin": 40,
        "exercises": [{"exerciseId": 17}],
    }
    created = await client.post("/workouts", json=body, headers=user.headers)
    assert created.status_code == 201
    wid = created.json()["id"]
    assert (
        await client.put(f"/workouts/{wid}", json={**body, "durationMin": 45}, headers=user.headers)
    ).status_code == 200
    assert (await client.delete(f"/workouts/{wid}", headers=user.headers)).status_code == 204

    engine = create_engine(settings)
    relay = OutboxRelay(engine, settings.db_schema, ProducerSettings.from_settings(settings))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        records = await consume_n(
            kafka_bootstrap, "training.workout", 3, timeout=60, key=str(user.id).encode()
        )
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        await engine.dispose()
    types = [record_headers(r)["ce_type"] for r in records]
    assert types == [
        "training.workout.created.v1",
        "training.workout.updated.v1",
        "training.workout.deleted.v1",
    ]
    assert record_headers(records[0])["ce_subject"] == str(user.id)
    first = record_json(records[0])["workout"]
    assert first["workoutId"] == wid
    assert first["localDate"] == "2026-02-02"
    assert first["durationMin"] == 40
    # 5.8 MET × 70 kg × 40/60 h
    assert first["caloriesBurned"] == round(5.8 * 70 * 40 / 60, 1)
    assert first["exerciseCategories"] == ["water"]
    assert record_json(records[1])["workout"]["durationMin"] == 45
    assert record_json(records[2])["workoutId"] == wid
