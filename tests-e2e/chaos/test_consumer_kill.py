"""`kill -9` of a consumer process in the middle of a burst, then a restart: no effect is lost
and none is applied twice (the killed process had applied some events whose offsets it had not
committed yet: they are delivered again and the inbox skips them)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from e2e.accounts import register_and_login
from e2e.chaos import ChaosFleet, delivery, ok
from fitness_platform.testing import wait_until

# The package's fleet starts inside the first test's setup (~100 s on a loaded 2-core box).
pytestmark = [
    pytest.mark.timeout(600),
]

CONSUMER = "goals-consumer"  # every goals group: users, weights, workouts, intake, targets
GROUP = "goals.workouts"
BURST = 60


async def _applied(db: psycopg.AsyncConnection, event_ids: list[object]) -> int:
    cur = await db.execute(
        "SELECT count(*) FROM goals.inbox WHERE consumer = %s AND event_id = ANY(%s)",
        (GROUP, event_ids),
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _count(db: psycopg.AsyncConnection, table: str, user_id: str) -> int:
    cur = await db.execute(f"SELECT count(*) FROM {table} WHERE user_id = %s", (user_id,))  # noqa: S608
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_a_consumer_killed_mid_burst_loses_and_doubles_nothing(
    chaos: ChaosFleet, gw: httpx.AsyncClient, db: psycopg.AsyncConnection
) -> None:
    acc = await register_and_login(gw, name="Burst")
    # Paused, the consumer lets the burst pile up in Kafka, so it is mid-batch when killed.
    chaos.pause(CONSUMER)
    try:
        start = datetime.now(UTC) - timedelta(days=3)
        sem = asyncio.Semaphore(8)

        async def log_workout(i: int) -> None:
            body = {
                "title": f"Set {i}",
                "startedAt": (start + timedelta(minutes=3 * i)).isoformat(),
                "durationMin": 2,
            }
            async with sem:
                ok(await gw.post("/workouts", headers=acc.auth, json=body), 201)

        await asyncio.gather(*(log_workout(i) for i in range(BURST)))
        cur = await db.execute(
            "SELECT event_id FROM training.outbox WHERE key = %s AND event_type = %s",
            (acc.id, "training.workout.created.v1"),
        )
        event_ids = [row[0] for row in await cur.fetchall()]
        assert len(event_ids) == BURST

        async def published() -> bool:
            return (await delivery(db, [acc.id])).unpublished == 0

        await wait_until(published, timeout=60, interval=0.2, message="burst published")
        assert await _applied(db, event_ids) == 0
    finally:
        chaos.resume(CONSUMER)

    # The consumer applies a fetched batch (up to 500 records) in one transaction and commits
    # its offsets after it, so the burst is all or nothing: killed right after it resumes, it is
    # inside that fetch or batch, and nothing it did before the kill may count.
    killed_pid = chaos.kill9(CONSUMER)
    applied_at_kill = await _applied(db, event_ids)
    assert applied_at_kill < BURST, "the kill came after the whole burst was applied"

    chaos.restart_fleet_processes()
    assert chaos.pid(CONSUMER) != killed_pid

    async def all_applied() -> bool:
        return await _applied(db, event_ids) == BURST

    await wait_until(all_applied, timeout=120, interval=0.5, message="burst after the restart")
    assert await _count(db, "goals.workouts", acc.id) == BURST
    await wait_until(
        lambda: _complete(db, acc.id), timeout=60, interval=0.5, message="other groups"
    )
    report = await delivery(db, [acc.id])
    assert report.missing == []
    assert report.doubled == []
    assert await _count(db, "progress.workouts", acc.id) == BURST  # a group nobody killed


async def _complete(db: psycopg.AsyncConnection, user_id: str) -> bool:
    return (await delivery(db, [user_id])).complete
