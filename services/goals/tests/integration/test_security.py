"""BOLA (another user's goal → 404 on every route), mass assignment, bad input → 422
problem+json with nothing written, missing/invalid tokens → 401."""

from __future__ import annotations

import pytest


async def _goal(client, user, body=None) -> str:
    resp = await client.post(
        "/goals",
        json=body or {"type": "workouts_per_week", "workoutsPerWeek": 3},
        headers=user.headers,
    )
    assert resp.status_code == 201
    return resp.json()["id"]


async def test_another_users_goal_is_404_on_every_route(
    client, user, other_user, db, scalar
) -> None:
    gid = await _goal(client, user)
    h = other_user.headers
    for resp in (
        await client.get(f"/goals/{gid}", headers=h),
        await client.patch(f"/goals/{gid}", json={"title": "mine"}, headers=h),
        await client.delete(f"/goals/{gid}", headers=h),
        await client.post("/goals/streak", json={"goalId": gid}, headers=h),
    ):
        assert resp.status_code == 404, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/goals", headers=h)).json()["total"] == 0
    assert (await client.post("/goals/evaluate", headers=h)).json()["goals"] == []
    assert (await client.post("/goals/auto-update", headers=h)).json()["changes"] == []
    row = await (
        await db.execute("SELECT title, status FROM goals WHERE id = %s", (gid,))
    ).fetchone()
    assert row == ("3 workouts a week", "active")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"type": "marathon", "workoutsPerWeek": 3}, "body"),
        (
            {"type": "workouts_per_week", "workoutsPerWeek": 0},
            "body.workouts_per_week.workoutsPerWeek",
        ),
        (
            {"type": "workouts_per_week", "workoutsPerWeek": 15},
            "body.workouts_per_week.workoutsPerWeek",
        ),
        ({"type": "weight_target"}, "body.weight_target.targetWeightKg"),
        ({"type": "weight_target", "targetWeightKg": 20}, "body.weight_target.targetWeightKg"),
        (
            {"type": "weekly_active_minutes", "minutesPerWeek": 5},
            "body.weekly_active_minutes.minutesPerWeek",
        ),
        ({"type": "calorie_adherence", "daysPerWeek": 8}, "body.calorie_adherence.daysPerWeek"),
        (
            {
                "type": "workouts_per_week",
                "workoutsPerWeek": 3,
                "startDate": "2026-05-10",
                "endDate": "2026-05-01",
            },
            "body.workouts_per_week",
        ),
        (
            {"type": "workouts_per_week", "workoutsPerWeek": 3, "startDate": "1890-01-01"},
            "body.workouts_per_week.startDate",
        ),
        (
            {"type": "workouts_per_week", "workoutsPerWeek": "3"},
            "body.workouts_per_week.workoutsPerWeek",
        ),
        # Mass assignment: server-owned fields are rejected, not ignored.
        (
            {"type": "workouts_per_week", "workoutsPerWeek": 3, "status": "completed"},
            "body.workouts_per_week.status",
        ),
        (
            {
                "type": "workouts_per_week",
                "workoutsPerWeek": 3,
                "userId": "00000000-0000-0000-0000-000000000001",
            },
            "body.workouts_per_week.userId",
        ),
        (
            {
                "type": "workouts_per_week",
                "workoutsPerWeek": 3,
                "achievedAt": "2026-01-01T00:00:00Z",
            },
            "body.workouts_per_week.achievedAt",
        ),
    ],
)
async def test_bad_create_is_422_and_writes_nothing(client, user, db, scalar, body, path) -> None:
    resp = await client.post("/goals", json=body, headers=user.headers)
    assert resp.status_code == 422, resp.text
    problem = resp.json()
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert problem["status"] == 422
    assert any(e["path"].startswith(path) for e in problem["errors"]), problem["errors"]
    assert await scalar(db, "SELECT count(*) FROM goals WHERE user_id = %s", user.id) == 0
    assert await scalar(db, "SELECT count(*) FROM outbox WHERE key = %s", str(user.id)) == 0


async def test_end_before_the_default_start_is_422(client, user, db, scalar) -> None:
    resp = await client.post(
        "/goals",
        json={"type": "workouts_per_week", "workoutsPerWeek": 3, "endDate": "2001-01-01"},
        headers=user.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "body.endDate"
    assert await scalar(db, "SELECT count(*) FROM goals WHERE user_id = %s", user.id) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "done"},
        {"title": None},
        {"userId": "00000000-0000-0000-0000-000000000001"},
        {"achievedAt": "2026-01-01T00:00:00Z"},
        {"progressPct": 100},
        {"startDate": "2026-05-10", "endDate": "2026-05-01"},
    ],
)
async def test_bad_patch_is_422_and_changes_nothing(client, user, db, body) -> None:
    gid = await _goal(client, user)
    resp = await client.patch(f"/goals/{gid}", json=body, headers=user.headers)
    assert resp.status_code == 422, resp.text
    row = await (
        await db.execute(
            "SELECT title, status, progress_pct, end_date FROM goals WHERE id = %s", (gid,)
        )
    ).fetchone()
    assert row == ("3 workouts a week", "active", None, None)
    cur = await db.execute("SELECT count(*) FROM outbox WHERE key = %s", (str(user.id),))
    assert (await cur.fetchone())[0] == 1  # the created event only


async def test_streak_of_a_weight_goal_is_422_and_unknown_goal_404(client, user) -> None:
    gid = await _goal(client, user, {"type": "weight_target", "targetWeightKg": 70})
    resp = await client.post("/goals/streak", json={"goalId": gid}, headers=user.headers)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "body.goalId"
    missing = await client.post(
        "/goals/streak",
        json={"goalId": "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
        headers=user.headers,
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/goals"),
        ("POST", "/goals"),
        ("GET", "/goals/7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        ("POST", "/goals/evaluate"),
        ("POST", "/goals/auto-update"),
        ("POST", "/goals/streak"),
    ],
)
async def test_no_or_bad_token_is_401(client, token_factory, method, path) -> None:
    assert (await client.request(method, path)).status_code == 401
    bad = token_factory.headers("7c9e6679-7425-40de-944b-e07fc1f90ae7", alg="none")
    assert (await client.request(method, path, headers=bad)).status_code == 401
