"""Goals through the gateway, fed by the real producers: workouts logged in training and
weigh-ins logged in progress reach goals as events (outbox → Kafka → goals consumer), which
auto-updates the goals; a reached goal is completed and its achieved event published once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from e2e.accounts import register_and_login
from fitness_platform.calendar import iso_week_start
from fitness_platform.testing import wait_until
from fitness_stack.endpoints import Endpoints

ZONE = "Europe/Berlin"
PROFILE = {
    "birthDate": "1988-03-02",
    "gender": "male",
    "heightCm": 180,
    "weightKg": 80,
    "activityLevel": "moderate",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
    "timezone": ZONE,
}


def _today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(ZONE)).date()


async def _goal(gw: httpx.AsyncClient, auth: dict[str, str], goal_id: str) -> dict[str, Any]:
    r = await gw.get(f"/goals/{goal_id}", headers=auth)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _published(admin_url: str, user_id: str, event_type: str) -> list[bool]:
    async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT published_at IS NOT NULL FROM goals.outbox WHERE key = %s AND event_type = %s",
            (user_id, event_type),
        )
        return [row[0] for row in await cur.fetchall()]


async def _profile_known(gw: httpx.AsyncClient, auth: dict[str, str]) -> None:
    """The goals consumer has the profile (timezone) once streaks report it."""

    async def known() -> bool:
        r = await gw.post("/goals/streak", headers=auth)
        return r.status_code == 200 and r.json()["timezone"] == ZONE

    await wait_until(known, timeout=60, interval=0.3, message="profile reached goals")


async def test_workouts_per_week_goal_is_reached_from_logged_workouts(
    gw: httpx.AsyncClient, e2e: Endpoints
) -> None:
    acc = await register_and_login(gw, name="Goals")
    assert (await gw.put(f"/users/{acc.id}", headers=acc.auth, json=PROFILE)).status_code == 200
    await _profile_known(gw, acc.auth)
    monday = iso_week_start(_today())
    r = await gw.post(
        "/goals",
        headers=acc.auth,
        json={"type": "workouts_per_week", "workoutsPerWeek": 2, "startDate": monday.isoformat()},
    )
    assert r.status_code == 201, r.text
    goal_id = r.json()["id"]
    assert r.headers["location"] == f"/goals/{goal_id}"

    def workout() -> dict[str, object]:
        started = datetime.now(UTC) - timedelta(minutes=1)
        return {"title": "Run", "startedAt": started.isoformat(), "durationMin": 30}

    w = await gw.post("/workouts", headers=acc.auth, json=workout())
    assert w.status_code == 201, w.text

    async def half_way() -> bool:
        return (await _goal(gw, acc.auth, goal_id))["progressPct"] == 50.0

    await wait_until(half_way, timeout=60, interval=0.3, message="auto-progress on a workout")
    evaluation = (await gw.post("/goals/evaluate", headers=acc.auth)).json()
    (result,) = [g for g in evaluation["goals"] if g["goalId"] == goal_id]
    assert (result["current"], result["target"], result["achieved"]) == (1.0, 2.0, False)
    assert result["evidence"]["weekStart"] == monday.isoformat()

    assert (await gw.post("/workouts", headers=acc.auth, json=workout())).status_code == 201

    async def completed() -> bool:
        return (await _goal(gw, acc.auth, goal_id))["status"] == "completed"

    await wait_until(completed, timeout=60, interval=0.3, message="goal completed")
    assert (await _goal(gw, acc.auth, goal_id))["achievedAt"] is not None

    async def achieved_published() -> bool:
        return await _published(e2e.pg_admin_url, acc.id, "goals.goal.achieved.v1") == [True]

    await wait_until(achieved_published, timeout=60, interval=0.3, message="achieved event sent")
    # Re-running the auto-update changes nothing: the event stays single.
    again = await gw.post("/goals/auto-update", headers=acc.auth)
    assert again.status_code == 200
    assert again.json()["changes"] == []
    assert await _published(e2e.pg_admin_url, acc.id, "goals.goal.achieved.v1") == [True]


async def test_weight_goal_progresses_on_the_trend_of_weigh_ins(gw: httpx.AsyncClient) -> None:
    acc = await register_and_login(gw, name="Weight goal")
    assert (await gw.put(f"/users/{acc.id}", headers=acc.auth, json=PROFILE)).status_code == 200
    await _profile_known(gw, acc.auth)
    r = await gw.post(
        "/goals", headers=acc.auth, json={"type": "weight_target", "targetWeightKg": 78}
    )
    assert r.status_code == 201, r.text
    goal = r.json()
    assert (goal["direction"], goal["startWeightKg"]) == ("lose", 80.0)
    today = _today()
    for offset, kg in ((2, 80.0), (1, 79.0), (0, 78.0)):
        day = (today - timedelta(days=offset)).isoformat()
        w = await gw.post("/progress/weight", headers=acc.auth, json={"date": day, "weightKg": kg})
        assert w.status_code == 201, w.text

    async def trend_reached_goals() -> bool:
        r = await gw.post("/goals/evaluate", headers=acc.auth)
        (result,) = r.json()["goals"]
        return result["evidence"]["weighIns"] == 3

    await wait_until(trend_reached_goals, timeout=60, interval=0.3, message="weigh-ins consumed")
    (result,) = (await gw.post("/goals/evaluate", headers=acc.auth)).json()["goals"]
    # Trend 80 → 79.9 → 79.71 (Hacker's Diet, 0.1): 0.29 of the 2 kg, not the raw 78 kg.
    assert result["current"] == pytest.approx(79.71)
    assert result["evidence"]["lastWeightKg"] == 78.0
    assert result["progressPct"] == pytest.approx(14.5)
    assert result["achieved"] is False
    stored = await _goal(gw, acc.auth, goal["id"])
    assert stored["progressPct"] == pytest.approx(14.5)
    assert stored["status"] == "active"
