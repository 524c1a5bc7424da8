"""`make bench` scenarios of the goals service: the list of a user's goals (lean read path).

``prepare`` gives every virtual user one goal, unmeasured, so ``GET /goals`` reads a real page.
"""

from __future__ import annotations

import aiohttp

from e2e.bench import Client, Request

GOAL = {"type": "workouts_per_week", "workoutsPerWeek": 3}

# user ids that already have their goal (prepare may run again for the same clients).
PREPARED: set[str] = set()


async def prepare(session: aiohttp.ClientSession, base: str, clients: list[Client]) -> None:
    for c in clients:
        if c.user_id in PREPARED:
            continue
        async with session.post(f"{base}/goals", json=GOAL, headers=c.auth()) as r:
            if r.status != 201:
                raise RuntimeError(f"goal create failed: {r.status} {await r.text()}")
        PREPARED.add(c.user_id)


def scenarios(base: str) -> dict[str, Request]:
    async def list_goals(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.get(f"{base}/goals", headers=c.auth()) as r:
            await r.read()
            return r.status

    return {"GET /goals": list_goals}


PLAN: dict[str, tuple[int, float]] = {"GET /goals": (16, 8)}
