"""Training scenarios for `make bench`: the key read (GET /workouts, lean read path) and
logging a workout (POST /workouts: estimate + outbox event in one transaction)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp

from e2e.bench import Client, Request

RUNNING_6MPH = 9  # Compendium 12050
WEIGHTS_GENERAL = 29  # Compendium 02054
WORKOUTS_PER_CLIENT = 8

PLAN: dict[str, tuple[int, float]] = {
    "GET /workouts": (16, 8),
    "POST /workouts": (16, 8),
}


def _workout(i: int) -> dict[str, object]:
    started = datetime.now(UTC) - timedelta(days=i % 30, hours=1)
    return {
        "title": f"Bench session {i}",
        "startedAt": started.isoformat(),
        "durationMin": 45,
        "exercises": [
            {"exerciseId": RUNNING_6MPH, "durationMin": 20, "distanceKm": 5},
            {"exerciseId": WEIGHTS_GENERAL, "sets": 3, "reps": 10, "weightKg": 40},
        ],
    }


async def prepare(session: aiohttp.ClientSession, base: str, clients: list[Client]) -> None:
    """A few workouts per account, so the list reads a realistic page (unmeasured)."""
    for c in clients:
        for i in range(WORKOUTS_PER_CLIENT):
            async with session.post(f"{base}/workouts", json=_workout(i), headers=c.auth()) as r:
                await r.read()
                if r.status != 201:
                    raise SystemExit(f"training bench set-up: POST /workouts → {r.status}")


def scenarios(base: str) -> dict[str, Request]:
    async def list_workouts(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.get(f"{base}/workouts", headers=c.auth()) as r:
            await r.read()
            return r.status

    counter = iter(range(10**9))

    async def log_workout(s: aiohttp.ClientSession, c: Client) -> int:
        body = _workout(next(counter))
        async with s.post(f"{base}/workouts", json=body, headers=c.auth()) as r:
            await r.read()
            return r.status

    return {"GET /workouts": list_workouts, "POST /workouts": log_workout}
