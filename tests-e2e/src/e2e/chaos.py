"""What the chaos suite (tests-e2e/chaos) counts: every event each consumer group must apply,
whether it did (its inbox row), and the effects in the consumers' tables.

"Exactly once in effect" is checked twice over: each (event, subscribed group) pair has exactly
one inbox row — the inbox row and the effect share a transaction — and the effect tables hold
exactly the rows the writes call for (a lost event leaves one missing, a double application
adds one).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import psycopg

from e2e.accounts import Account, register_and_login
from fitness_platform.calendar import iso_week_start
from fitness_stack.endpoints import Endpoints
from fitness_stack.pytest_plugin import FLEET_TEST_ENV
from fitness_stack.stack import Stack

# Media takes part in no fault: leaving it out saves three processes on a 2-core machine.
CHAOS_SERVICES = ("identity", "nutrition", "training", "progress", "goals")
APIS = (*CHAOS_SERVICES, "gateway")
HEALTHY_TIMEOUT_S = 120.0

# topic → the consumer groups reading it (services/*/src/*/consumers.py; group =
# "<service>.<consumer>", the platform's `consume`). Media is not part of the chaos fleet.
SUBSCRIBERS: dict[str, tuple[str, ...]] = {
    "identity.user": (
        "identity.activity-identity.user",
        "nutrition.profiles",
        "nutrition.user-deletion",
        "training.users",
        "progress.profiles",
        "goals.users",
    ),
    "nutrition.targets": (
        "identity.activity-nutrition.targets",
        "progress.targets",
        "goals.targets",
    ),
    "nutrition.intake": ("identity.activity-nutrition.intake", "progress.intake", "goals.intake"),
    "training.workout": (
        "identity.activity-training.workout",
        "progress.workouts",
        "goals.workouts",
    ),
    "progress.weight": ("identity.activity-progress.weight", "training.weights", "goals.weights"),
    "goals.goal": ("identity.activity-goals.goal",),
}
PRODUCERS = ("identity", "nutrition", "training", "progress", "goals")
CONSUMERS = ("identity", "nutrition", "training", "progress", "goals")

# Effect tables of the consumers: (schema.table, extra condition). One row per user and key
# (workout id, day, calculation id), so a count is exactly the number of distinct inputs.
EFFECTS: dict[str, str] = {
    "nutrition.calculations": "reason = 'profile_change'",  # recalculations from profile events
    "progress.workouts": "true",
    "progress.intake_days": "true",
    "progress.nutrition_targets": "true",
    "goals.workouts": "true",
    "goals.weight_entries": "true",
    "goals.intake_days": "true",
    "goals.calorie_targets": "true",
    "training.weights": "true",
    "training.user_profiles": "true",
    "progress.user_profiles": "true",
    "goals.user_profiles": "true",
}

PROFILE: dict[str, Any] = {
    "birthDate": "1990-05-17",
    "gender": "female",
    "heightCm": 168,
    "weightKg": 70.0,
    "activityLevel": "moderate",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
    "timezone": "UTC",
}


@dataclass
class ChaosFleet:
    """The stack under test and the faults applied to it (each one undone by `heal`)."""

    stack: Stack

    @property
    def endpoints(self) -> Endpoints:
        return self.stack.endpoints

    def api_url(self, name: str) -> str:
        ep = self.endpoints
        return ep.gateway_url if name == "gateway" else ep.service_urls[name]

    # --- faults -----------------------------------------------------------------------

    def stop(self, name: str) -> None:
        """Stop a backing service (postgres, redis, kafka) the way an outage looks to clients."""
        self.stack.stop_backing(name)

    def kill9(self, name: str) -> int:
        """SIGKILL a fleet process (no shutdown hook runs); returns its PID."""
        record = self.stack.procs.record(name)
        assert record is not None, name
        assert self.stack.procs.running(name), f"{name} is not running"
        os.kill(record.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.stack.procs.running(name):
            assert time.monotonic() < deadline, f"{name} survived SIGKILL"
            time.sleep(0.05)
        return record.pid

    def pause(self, name: str) -> None:
        record = self.stack.procs.record(name)
        assert record is not None
        os.kill(record.pid, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        record = self.stack.procs.record(name)
        assert record is not None
        os.kill(record.pid, signal.SIGCONT)

    def pid(self, name: str) -> int:
        record = self.stack.procs.record(name)
        assert record is not None
        return record.pid

    def fleet_pids(self) -> dict[str, int]:
        return {p.name: self.pid(p.name) for p in self.stack.fleet()}

    # --- recovery ---------------------------------------------------------------------

    def start(self, name: str) -> None:
        """Start one backing service again on its port (the launcher's own start step)."""
        self.stack.start_backing(name)

    def restart_fleet_processes(self) -> None:
        """Start the fleet processes that are not running (what a pod restart does)."""
        with FleetEnv():
            self.stack.start_missing_fleet()

    def heal(self) -> None:
        """Whatever a test stopped or paused runs again, and every API is ready."""
        for name in ("postgres", "redis", "kafka"):
            if not self.stack.procs.running(name):
                self.start(name)
        for proc in self.stack.fleet():
            record = self.stack.procs.record(proc.name)
            if record is not None and self.stack.procs.running(proc.name):
                os.kill(record.pid, signal.SIGCONT)  # harmless unless a test paused it
        self.restart_fleet_processes()
        self.wait_ready()

    def wait_ready(self, timeout: float = HEALTHY_TIMEOUT_S) -> None:
        pending = {name: f"{self.api_url(name)}/health/ready" for name in APIS}
        deadline = time.monotonic() + timeout
        while pending:
            for name, url in list(pending.items()):
                try:
                    if httpx.get(url, timeout=3).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if not pending:
                return
            assert time.monotonic() < deadline, f"not ready after {timeout:.0f}s: {sorted(pending)}"
            time.sleep(0.25)


class FleetEnv:
    """The test fleet's settings (raised per-IP limits) while fleet processes are spawned:
    they inherit the launcher's environment."""

    def __enter__(self) -> None:
        self.saved = {k: os.environ.get(k) for k in FLEET_TEST_ENV}
        os.environ.update(FLEET_TEST_ENV)

    def __exit__(self, *exc: object) -> None:
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class Delivery:
    events: int = 0
    unpublished: int = 0
    missing: list[tuple[str, str, UUID]] = field(default_factory=list)  # (group, type, id)
    doubled: list[tuple[str, UUID, int]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.events > 0 and not self.unpublished and not self.missing


async def delivery(db: psycopg.AsyncConnection, user_ids: list[str]) -> Delivery:
    """Every outbox event of these users against the inboxes of the groups subscribed to it."""
    report = Delivery()
    events: list[tuple[UUID, str, str]] = []
    for schema in PRODUCERS:
        cur = await db.execute(
            f"SELECT event_id, topic, event_type, published_at IS NOT NULL "  # noqa: S608
            f"FROM {schema}.outbox WHERE key = ANY(%s)",
            (user_ids,),
        )
        for event_id, topic, event_type, published in await cur.fetchall():
            events.append((event_id, topic, event_type))
            report.unpublished += 0 if published else 1
    report.events = len(events)
    seen: Counter[tuple[str, UUID]] = Counter()
    ids = [e[0] for e in events]
    for schema in CONSUMERS:
        cur = await db.execute(
            f"SELECT consumer, event_id FROM {schema}.inbox WHERE event_id = ANY(%s)",  # noqa: S608
            (ids,),
        )
        seen.update((consumer, event_id) for consumer, event_id in await cur.fetchall())
    for event_id, topic, event_type in events:
        for group in SUBSCRIBERS.get(topic, ()):
            n = seen[(group, event_id)]
            if n == 0:
                report.missing.append((group, event_type, event_id))
            elif n > 1:
                report.doubled.append((group, event_id, n))
    return report


async def effects(db: psycopg.AsyncConnection, user_id: str) -> dict[str, int]:
    counts = {}
    for table, condition in EFFECTS.items():
        cur = await db.execute(
            f"SELECT count(*) FROM {table} WHERE user_id = %s AND {condition}",  # noqa: S608
            (user_id,),
        )
        row = await cur.fetchone()
        counts[table] = row[0] if row else 0
    return counts


def ok(r: httpx.Response, *statuses: int) -> httpx.Response:
    assert r.status_code in (statuses or (200, 201, 204)), (
        f"{r.request.url}: {r.status_code} {r.text}"
    )
    return r


@dataclass
class Story:
    """One user's writes through the gateway and the effects they must leave behind."""

    account: Account
    goal_id: str
    expected: dict[str, int]
    goal_progress_pct: float


async def user_story(gw: httpx.AsyncClient, name: str = "Chaos") -> Story:
    """Register, set the profile twice (two recalculations), a workouts-per-week goal, two
    workouts, two weigh-ins and two meals on two days. Every write must answer 2xx."""
    acc = await register_and_login(gw, name=name)
    ok(await gw.put(f"/users/{acc.id}", headers=acc.auth, json=PROFILE))
    ok(await gw.put(f"/users/{acc.id}", headers=acc.auth, json={**PROFILE, "weightKg": 68.5}))
    now = datetime.now(UTC)
    today = now.date()
    goal = ok(
        await gw.post(
            "/goals",
            headers=acc.auth,
            json={
                "type": "workouts_per_week",
                "workoutsPerWeek": 4,
                "startDate": iso_week_start(today).isoformat(),
            },
        )
    ).json()
    for minutes in (30, 45):
        started = now - timedelta(minutes=minutes + 1)
        ok(
            await gw.post(
                "/workouts",
                headers=acc.auth,
                json={"title": "Run", "startedAt": started.isoformat(), "durationMin": minutes},
            )
        )
    for days_ago, kg in ((1, 68.4), (0, 68.2)):
        day = (today - timedelta(days=days_ago)).isoformat()
        ok(await gw.post("/progress/weight", headers=acc.auth, json={"date": day, "weightKg": kg}))
        ok(await gw.post("/nutrition/diary", headers=acc.auth, json=meal(day)))
    expected = {
        "nutrition.calculations": 2,
        "progress.workouts": 2,
        "progress.intake_days": 2,
        "progress.nutrition_targets": 1,
        "goals.workouts": 2,
        "goals.weight_entries": 2,
        "goals.intake_days": 2,
        "goals.calorie_targets": 2,
        "training.weights": 2,
        "training.user_profiles": 1,
        "progress.user_profiles": 1,
        "goals.user_profiles": 1,
    }
    return Story(acc, goal["id"], expected, goal_progress_pct=50.0)


def meal(day: str, kcal: float = 600.0) -> dict[str, Any]:
    return {
        "date": day,
        "mealSlot": "lunch",
        "customItem": {
            "name": "Rice bowl",
            "grams": 350,
            "kcal": kcal,
            "proteinG": 25,
            "fatG": 15,
            "carbsG": 90,
        },
    }


async def goal_progress(gw: httpx.AsyncClient, story: Story) -> float:
    r = ok(await gw.get(f"/goals/{story.goal_id}", headers=story.account.auth))
    return float(r.json()["progressPct"])
