"""POST /goals/evaluate, /goals/auto-update and /goals/streak over read-model rows written
directly (the consumer tests cover how events get there)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from prometheus_client import REGISTRY

from fitness_platform.calendar import iso_week_start


async def _workouts(db, user_id: uuid.UUID, *days: date, minutes: int = 30) -> None:
    for day in days:
        await db.execute(
            "INSERT INTO workouts (workout_id, user_id, local_date, duration_min, started_at, "
            "event_at) VALUES (%s, %s, %s, %s, now(), now())",
            (uuid.uuid4(), user_id, day, minutes),
        )


async def _create(client, user, body) -> str:
    resp = await client.post("/goals", json=body, headers=user.headers)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


async def test_evaluate_reports_every_active_goal_with_evidence(client, user, db) -> None:
    today = datetime.now(UTC).date()
    monday = iso_week_start(today)
    gid = await _create(
        client,
        user,
        {"type": "workouts_per_week", "workoutsPerWeek": 4, "startDate": monday.isoformat()},
    )
    paused = await _create(client, user, {"type": "weekly_active_minutes", "minutesPerWeek": 60})
    await client.patch(f"/goals/{paused}", json={"status": "paused"}, headers=user.headers)
    await _workouts(db, user.id, monday, today)
    body = (await client.post("/goals/evaluate", headers=user.headers)).json()
    assert body["timezone"] == "UTC"
    (result,) = body["goals"]
    expected = 2.0 if monday != today else 1.0
    assert result["goalId"] == gid
    assert (result["current"], result["target"], result["unit"]) == (expected, 4.0, "workouts")
    assert result["progressPct"] == round(100 * expected / 4, 1)
    assert result["evidence"]["weekStart"] == monday.isoformat()
    assert result["evidence"]["thisWeek"] == expected
    # Evaluation stores nothing.
    assert (await client.get(f"/goals/{gid}", headers=user.headers)).json()["progressPct"] is None


async def test_auto_update_stores_progress_completes_once_and_is_idempotent(
    client, user, db
) -> None:
    today = datetime.now(UTC).date()
    monday = iso_week_start(today)
    gid = await _create(
        client,
        user,
        {"type": "weekly_active_minutes", "minutesPerWeek": 60, "startDate": monday.isoformat()},
    )
    await _workouts(db, user.id, today, minutes=30)
    first = (await client.post("/goals/auto-update", headers=user.headers)).json()
    assert [
        (c["goalId"], c["progressBefore"], c["progressAfter"], c["achieved"])
        for c in first["changes"]
    ] == [(gid, None, 50.0, False)]
    again = (await client.post("/goals/auto-update", headers=user.headers)).json()
    assert again["changes"] == []
    await _workouts(db, user.id, today, minutes=30)
    labels = {"type": "weekly_active_minutes"}
    before = REGISTRY.get_sample_value("goals_achieved_total", labels) or 0.0
    reached = (await client.post("/goals/auto-update", headers=user.headers)).json()["changes"]
    assert [(c["status"], c["achieved"]) for c in reached] == [("completed", True)]
    assert (await client.post("/goals/auto-update", headers=user.headers)).json()["changes"] == []
    assert REGISTRY.get_sample_value("goals_achieved_total", labels) == before + 1
    cur = await db.execute(
        "SELECT event_type FROM outbox WHERE key = %s ORDER BY id", (str(user.id),)
    )
    assert [r[0] for r in await cur.fetchall()] == [
        "goals.goal.created.v1",
        "goals.goal.updated.v1",
        "goals.goal.achieved.v1",
    ]
    goal = (await client.get(f"/goals/{gid}", headers=user.headers)).json()
    assert goal["status"] == "completed"
    assert goal["achievedAt"] is not None
    # A completed goal is final.
    reopen = await client.patch(f"/goals/{gid}", json={"status": "active"}, headers=user.headers)
    assert reopen.status_code == 409


async def test_weekly_streak_in_the_users_timezone(client, user, db) -> None:
    zone = ZoneInfo("Asia/Tokyo")
    await db.execute(
        "INSERT INTO user_profiles (user_id, timezone) VALUES (%s, 'Asia/Tokyo')", (user.id,)
    )
    today = datetime.now(UTC).astimezone(zone).date()
    this_week = iso_week_start(today)
    start = this_week - timedelta(weeks=3)
    gid = await _create(
        client,
        user,
        {"type": "workouts_per_week", "workoutsPerWeek": 1, "startDate": start.isoformat()},
    )
    # Weeks −3 and −1 have a workout, −2 has none; the current week has none (in progress).
    await _workouts(db, user.id, start + timedelta(days=2), this_week - timedelta(days=3))
    body = (await client.post("/goals/streak", headers=user.headers)).json()
    assert body["timezone"] == "Asia/Tokyo"
    (streak,) = body["streaks"]
    assert streak["goalId"] == gid
    assert (streak["period"], streak["current"], streak["longest"], streak["judgedPeriods"]) == (
        "week",
        1,
        1,
        3,
    )
    assert streak["lastSuccessfulPeriod"] == (this_week - timedelta(weeks=1)).isoformat()
    assert streak["inProgressPeriod"] == this_week.isoformat()
