"""Workouts through the gateway: create → list → update → delete, and calories re-estimated
when the user's weight becomes known (profile weight via identity, a weigh-in via a published
progress.weight event — the progress service is written in parallel, so the test publishes it).

Profile and weight changes travel identity → outbox relay → Kafka → training's consumer, so the
assertions poll with a deadline instead of expecting the effect at once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import psycopg
from aiokafka import AIOKafkaProducer
from psycopg import sql

from e2e.accounts import register_and_login
from fitness_contracts.progress import WeightRecordedV1
from fitness_platform.events import cloudevent_headers
from fitness_platform.testing import wait_until
from fitness_stack.endpoints import Endpoints

RUNNING_6MPH = 9  # Compendium 12050, 9.8 MET


async def publish_weight(bootstrap: str, user_id: str, day: date, kg: float) -> None:
    event = WeightRecordedV1(
        user_id=uuid.UUID(user_id), date=day, weight_kg=kg, recorded_at=datetime.now(UTC)
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(
            event.topic,
            event.model_dump_json(by_alias=True).encode(),
            key=user_id.encode(),
            headers=cloudevent_headers(
                event_type=event.event_type,
                source="/progress",
                event_id=uuid.uuid4(),
                time=datetime.now(UTC),
                subject=user_id,
            ),
        )
    finally:
        await producer.stop()


async def test_workout_lifecycle_and_reestimation(gw: httpx.AsyncClient, e2e: Endpoints) -> None:
    acc = await register_and_login(gw, name="Runner")
    exercises = (await gw.get("/exercises?q=running 6", headers=acc.auth)).json()["items"]
    assert [(e["id"], e["metCode"], e["met"]) for e in exercises] == [(RUNNING_6MPH, "12050", 9.8)]

    body = {
        "title": "Tempo run",
        "startedAt": "2026-03-10T07:00:00+01:00",
        "durationMin": 30,
        "exercises": [{"exerciseId": RUNNING_6MPH, "distanceKm": 4.8}],
    }
    r = await gw.post("/workouts", json=body, headers=acc.auth)
    assert r.status_code == 201, r.text
    workout = r.json()
    url = r.headers["location"]
    assert url == f"/workouts/{workout['id']}"
    # No weight known yet: the Compendium example's 70 kg → 9.8 × 70 × 0.5 = 343 kcal.
    assert workout["caloriesBurned"] == 343.0
    assert workout["calorieEstimate"]["weightSource"] == "default"

    # The profile weight arrives through identity.user and re-estimates it: 9.8 × 80 × 0.5.
    r = await gw.put(
        f"/users/{acc.id}", headers=acc.auth, json={"weightKg": 80, "timezone": "Europe/Berlin"}
    )
    assert r.status_code == 200, r.text

    async def calories() -> float:
        return (await gw.get(url, headers=acc.auth)).json()["caloriesBurned"]

    await wait_until(
        lambda: _equals(calories, 392.0), timeout=45, interval=0.3, message="profile weight"
    )

    listing = (await gw.get("/workouts?from=2026-03-10&to=2026-03-10", headers=acc.auth)).json()
    assert [w["id"] for w in listing["items"]] == [workout["id"]]
    assert listing["total"] == 1

    r = await gw.put(url, headers=acc.auth, json={**body, "title": "Long run", "durationMin": 60})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Long run"
    assert r.json()["caloriesBurned"] == 784.0

    # A weigh-in for the day before the run: the run's own day now has a measurement.
    await publish_weight(e2e.kafka_bootstrap, acc.id, date(2026, 3, 9), 90.0)
    await wait_until(
        lambda: _equals(calories, 882.0), timeout=45, interval=0.3, message="weigh-in re-estimate"
    )
    estimate = (await gw.get(url, headers=acc.auth)).json()["calorieEstimate"]
    assert estimate["weightSource"] == "measurement"
    assert estimate["weightMeasuredOn"] == "2026-03-09"

    # Another user cannot see or delete it.
    other = await register_and_login(gw, name="Other")
    assert (await gw.get(url, headers=other.auth)).status_code == 404
    assert (await gw.delete(url, headers=other.auth)).status_code == 404

    assert (await gw.delete(url, headers=acc.auth)).status_code == 204
    assert (await gw.get(url, headers=acc.auth)).status_code == 404
    assert (await gw.get("/workouts", headers=acc.auth)).json()["total"] == 0


async def test_start_a_template(gw: httpx.AsyncClient) -> None:
    acc = await register_and_login(gw, name="Planner")
    templates = (await gw.get("/workouts/template?limit=100", headers=acc.auth)).json()
    assert templates["total"] >= 8
    walk = next(t for t in templates["items"] if t["name"] == "Brisk walk for health")
    r = await gw.post(f"/workouts/template/{walk['id']}/start", headers=acc.auth)
    assert r.status_code == 201, r.text
    assert r.json()["caloriesBurned"] == walk["estimatedKcal"]
    assert (await gw.get(r.headers["location"], headers=acc.auth)).status_code == 200


async def _equals(read, expected: float) -> bool:
    return await read() == expected


async def _training_rows(admin_url: str, user_id: str) -> dict[str, int]:
    """Rows naming the user in every training table with a user_id column."""
    counts: dict[str, int] = {}
    async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as conn:
        tables = await (
            await conn.execute(
                "SELECT c.table_name FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE c.table_schema = 'training' AND c.column_name = 'user_id' "
                "AND t.table_type = 'BASE TABLE'"
            )
        ).fetchall()
        for (table,) in tables:
            query = sql.SQL("SELECT count(*) FROM training.{} WHERE user_id = %s").format(
                sql.Identifier(table)
            )
            row = await (await conn.execute(query, (user_id,))).fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


async def test_account_deletion_erases_training_rows(gw: httpx.AsyncClient, e2e: Endpoints) -> None:
    acc = await register_and_login(gw, name="Leaving")
    r = await gw.put(f"/users/{acc.id}", headers=acc.auth, json={"weightKg": 70})
    assert r.status_code == 200, r.text
    body = {
        "title": "Last run",
        "startedAt": datetime.now(UTC).isoformat(),
        "durationMin": 20,
        "exercises": [{"exerciseId": RUNNING_6MPH}],
    }
    assert (await gw.post("/workouts", json=body, headers=acc.auth)).status_code == 201

    async def has_rows() -> bool:
        rows = await _training_rows(e2e.pg_admin_url, acc.id)
        return rows.get("workouts", 0) == 1 and rows.get("user_profiles", 0) == 1

    await wait_until(has_rows, timeout=45, interval=0.3, message="training rows")
    assert (await gw.delete(f"/users/{acc.id}", headers=acc.auth)).status_code == 204

    async def erased() -> bool:
        return all(n == 0 for n in (await _training_rows(e2e.pg_admin_url, acc.id)).values())

    await wait_until(erased, timeout=45, interval=0.3, message="training erasure")
