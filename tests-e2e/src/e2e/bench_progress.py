"""`make bench` scenarios of the progress service: the two lean reads (weight list, summary), a
weigh-in write and the Hall-model forecast.

``prepare`` (unmeasured) gives every virtual user a complete profile and two weeks of weigh-ins,
and waits until progress has projected the profile (the forecast answers 409 before that).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import aiohttp

from e2e.bench import Client, Request

PROFILE = {
    "birthDate": "1990-04-12",
    "gender": "female",
    "heightCm": 170,
    "weightKg": 78.0,
    "activityLevel": "moderate",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
    "timezone": "UTC",
}
FORECAST = {"horizonDays": 180, "targetWeightKg": 72.0, "calorieChangeKcal": -450}
WEIGH_IN_DAYS = 14
PROFILE_DEADLINE_S = 60.0

PREPARED: set[str] = set()


async def prepare(session: aiohttp.ClientSession, base: str, clients: list[Client]) -> None:
    today = datetime.now(UTC).date()
    for c in clients:
        if c.user_id in PREPARED:
            continue
        async with session.put(f"{base}/users/{c.user_id}", json=PROFILE, headers=c.auth()) as r:
            if r.status != 200:
                raise RuntimeError(f"profile update failed: {r.status} {await r.text()}")
        for i in range(WEIGH_IN_DAYS):
            day = today - timedelta(days=WEIGH_IN_DAYS - 1 - i)
            body = {"date": day.isoformat(), "weightKg": round(78.0 - 0.07 * i, 2)}
            async with session.post(f"{base}/progress/weight", json=body, headers=c.auth()) as r:
                if r.status not in (200, 201):
                    raise RuntimeError(f"weigh-in failed: {r.status} {await r.text()}")
        PREPARED.add(c.user_id)
    # The profile reaches progress through identity's outbox and Kafka: poll with a deadline.
    deadline = time.monotonic() + PROFILE_DEADLINE_S
    pending = list(clients)
    while pending:
        still = []
        for c in pending:
            async with session.post(
                f"{base}/progress/forecast", json=FORECAST, headers=c.auth()
            ) as r:
                await r.read()
                if r.status != 200:
                    still.append(c)
        pending = still
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"{len(pending)} profiles never reached progress")
        if pending:
            await asyncio.sleep(0.5)  # pacing the poll, not test synchronisation


def scenarios(base: str) -> dict[str, Request]:
    async def list_weights(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.get(f"{base}/progress/weight", headers=c.auth()) as r:
            await r.read()
            return r.status

    async def summary(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.get(f"{base}/progress/summary?period=month", headers=c.auth()) as r:
            await r.read()
            return r.status

    async def record_weight(s: aiohttp.ClientSession, c: Client) -> int:
        body = {"date": datetime.now(UTC).date().isoformat(), "weightKg": 77.2}
        async with s.post(f"{base}/progress/weight", json=body, headers=c.auth()) as r:
            await r.read()
            return r.status

    async def forecast(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.post(f"{base}/progress/forecast", json=FORECAST, headers=c.auth()) as r:
            await r.read()
            return r.status

    return {
        "GET /progress/weight": list_weights,
        "GET /progress/summary": summary,
        "POST /progress/weight": record_weight,
        "POST /progress/forecast": forecast,
    }


PLAN: dict[str, tuple[int, float]] = {
    "GET /progress/weight": (16, 8),
    "GET /progress/summary": (16, 8),
    "POST /progress/weight": (16, 8),
    "POST /progress/forecast": (16, 8),
}
