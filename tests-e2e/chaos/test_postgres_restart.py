"""PostgreSQL stopped and started under load: `/health/ready` goes 503 and back to 200 by itself,
requests in between get a 503 problem+json with `Retry-After` — never a 500, never a hang (the
client's timeout is bounded) — and no fleet process needs a restart."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from e2e.accounts import register_and_login
from e2e.chaos import CHAOS_SERVICES, ChaosFleet, ok
from fitness_platform.testing import wait_until

# The package's fleet starts inside the first test's setup (~100 s on a loaded 2-core box).
pytestmark = [
    pytest.mark.timeout(600),
]

PROBLEM = "application/problem+json"
CLIENT_TIMEOUT_S = 10.0


async def _ready(url: str) -> int:
    async with httpx.AsyncClient(timeout=5) as client:
        return (await client.get(f"{url}/health/ready")).status_code


async def test_postgres_restart_under_load_answers_503_then_recovers(
    chaos: ChaosFleet, gw: httpx.AsyncClient, db: psycopg.AsyncConnection
) -> None:
    acc = await register_and_login(gw, name="Postgres restart")
    pids = chaos.fleet_pids()
    statuses: Counter[int] = Counter()
    bad: list[str] = []
    stop = asyncio.Event()

    def check(r: httpx.Response) -> None:
        statuses[r.status_code] += 1
        if r.status_code < 400:
            return
        if r.status_code != 503:
            bad.append(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:200]}")
        elif not r.headers.get("content-type", "").startswith(PROBLEM):
            bad.append(f"503 without problem+json: {r.headers.get('content-type')}")
        elif not r.headers.get("retry-after", "").isdigit():
            bad.append(f"503 without Retry-After: {r.request.url.path}")

    async def load(worker: int) -> None:
        # Own client per worker: a pooled connection is not shared across the outage's errors.
        async with httpx.AsyncClient(
            base_url=chaos.endpoints.gateway_url, timeout=CLIENT_TIMEOUT_S
        ) as client:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    if i % 2:
                        r = await client.get("/workouts", headers=acc.auth)
                    else:
                        started = datetime.now(UTC) - timedelta(hours=worker * 100 + i)
                        body = {"title": "Load", "startedAt": started.isoformat(), "durationMin": 5}
                        r = await client.post("/workouts", headers=acc.auth, json=body)
                except httpx.TimeoutException as exc:
                    bad.append(f"hang: {type(exc).__name__}")
                    continue
                check(r)
                await asyncio.sleep(0.05)  # pacing of the load, not synchronisation

    workers = [asyncio.create_task(load(w)) for w in range(3)]
    try:
        await wait_until(lambda: statuses[200] > 3, timeout=30, message="load running")
        # In a thread: the load keeps running while the launcher waits for the server.
        await asyncio.to_thread(chaos.stop, "postgres")

        async def not_ready() -> bool:
            codes = [await _ready(chaos.api_url(s)) for s in CHAOS_SERVICES]
            return all(c == 503 for c in codes)

        await wait_until(not_ready, timeout=30, interval=0.2, message="ready went false")
        await wait_until(lambda: statuses[503] >= 5, timeout=30, message="503s under load")
        await asyncio.to_thread(chaos.start, "postgres")

        async def ready_again() -> bool:
            codes = [await _ready(chaos.api_url(s)) for s in CHAOS_SERVICES]
            return all(c == 200 for c in codes)

        await wait_until(ready_again, timeout=60, interval=0.3, message="ready again by itself")
        recovered = statuses[201]
        await wait_until(
            lambda: statuses[201] > recovered + 2, timeout=30, message="writes succeed again"
        )
    finally:
        stop.set()
        await asyncio.gather(*workers)

    assert bad == []
    assert statuses[503] >= 5
    assert set(statuses) <= {200, 201, 503}
    # Nothing was restarted: every API, relay, worker and consumer survived the outage.
    assert chaos.fleet_pids() == pids
    assert all(chaos.stack.procs.running(name) for name in pids)
    r = ok(await gw.get("/workouts", headers=acc.auth, params={"limit": 1}))
    assert r.json()["total"] == statuses[201]
