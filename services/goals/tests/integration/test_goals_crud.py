"""/goals CRUD through the app: create per type, list/get on the read pool, patch, delete,
the outbox events each write adds."""

from __future__ import annotations

import uuid
from typing import Any

import pytest


async def _events(db: Any, user_id: uuid.UUID) -> list[str]:
    cur = await db.execute(
        "SELECT event_type FROM outbox WHERE key = %s ORDER BY id", (str(user_id),)
    )
    return [r[0] for r in await cur.fetchall()]


@pytest.mark.parametrize(
    ("body", "unit", "target"),
    [
        ({"type": "weight_target", "targetWeightKg": 72.5}, "kg", 72.5),
        ({"type": "workouts_per_week", "workoutsPerWeek": 4}, "workouts", 4),
        ({"type": "weekly_active_minutes", "minutesPerWeek": 150}, "minutes", 150),
        ({"type": "calorie_adherence", "daysPerWeek": 5}, "days", 5),
    ],
)
async def test_create_each_type(client, user, db, body, unit, target) -> None:
    resp = await client.post("/goals", json=body, headers=user.headers)
    assert resp.status_code == 201, resp.text
    goal = resp.json()
    assert resp.headers["location"] == f"/goals/{goal['id']}"
    assert (goal["type"], goal["unit"], goal["targetValue"], goal["status"]) == (
        body["type"],
        unit,
        target,
        "active",
    )
    assert goal["title"]
    if body["type"] == "calorie_adherence":
        assert goal["tolerancePct"] == 10.0
    assert await _events(db, user.id) == ["goals.goal.created.v1"]
    got = await client.get(f"/goals/{goal['id']}", headers=user.headers)
    assert got.status_code == 200
    assert got.json() == goal


async def test_start_date_defaults_to_today_in_the_users_timezone(client, user, db) -> None:
    # A user in Kiritimati (UTC+14) is usually a day ahead of UTC.
    await db.execute(
        "INSERT INTO user_profiles (user_id, timezone) VALUES (%s, 'Pacific/Kiritimati')",
        (user.id,),
    )
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    resp = await client.post(
        "/goals", json={"type": "workouts_per_week", "workoutsPerWeek": 3}, headers=user.headers
    )
    today = datetime.now(UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    assert resp.json()["startDate"] == today.isoformat()


async def test_second_active_weight_target_is_a_conflict(client, user, scalar, db) -> None:
    body = {"type": "weight_target", "targetWeightKg": 70}
    first = await client.post("/goals", json=body, headers=user.headers)
    assert first.status_code == 201
    second = await client.post("/goals", json=body, headers=user.headers)
    assert second.status_code == 409
    assert second.headers["content-type"].startswith("application/problem+json")
    assert await scalar(db, "SELECT count(*) FROM goals WHERE user_id = %s", user.id) == 1
    # Other types are not limited; a paused weight target frees the slot.
    ok = await client.post(
        "/goals", json={"type": "workouts_per_week", "workoutsPerWeek": 2}, headers=user.headers
    )
    assert ok.status_code == 201
    gid = first.json()["id"]
    assert (
        await client.patch(f"/goals/{gid}", json={"status": "paused"}, headers=user.headers)
    ).status_code == 200
    assert (await client.post("/goals", json=body, headers=user.headers)).status_code == 201
    # …and re-activating the paused one is then the conflict.
    back = await client.patch(f"/goals/{gid}", json={"status": "active"}, headers=user.headers)
    assert back.status_code == 409


async def test_list_filters_pages_and_totals(client, user, make_user) -> None:
    for n in (2, 3, 4):
        await client.post(
            "/goals", json={"type": "workouts_per_week", "workoutsPerWeek": n}, headers=user.headers
        )
    await client.post(
        "/goals", json={"type": "calorie_adherence", "daysPerWeek": 3}, headers=user.headers
    )
    stranger = make_user()
    await client.post(
        "/goals", json={"type": "calorie_adherence", "daysPerWeek": 3}, headers=stranger.headers
    )
    all_ = (await client.get("/goals", headers=user.headers)).json()
    assert all_["total"] == 4
    assert all_["items"][0]["type"] == "calorie_adherence"  # newest first
    page = (
        await client.get("/goals?type=workouts_per_week&limit=2&page=2", headers=user.headers)
    ).json()
    assert (page["total"], len(page["items"]), page["page"], page["limit"]) == (3, 1, 2, 2)
    assert page["items"][0]["targetValue"] == 2
    beyond = (await client.get("/goals?page=9", headers=user.headers)).json()
    assert (beyond["items"], beyond["total"]) == ([], 4)
    none = (await client.get("/goals?status=completed", headers=user.headers)).json()
    assert none["total"] == 0


async def test_patch_fields_and_status_life_cycle(client, user, db) -> None:
    gid = (
        await client.post(
            "/goals",
            json={"type": "workouts_per_week", "workoutsPerWeek": 3, "startDate": "2026-01-05"},
            headers=user.headers,
        )
    ).json()["id"]
    resp = await client.patch(
        f"/goals/{gid}",
        json={"title": "Run more", "workoutsPerWeek": 5, "endDate": "2026-06-30"},
        headers=user.headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["title"], body["targetValue"], body["endDate"]) == ("Run more", 5, "2026-06-30")
    cleared = await client.patch(f"/goals/{gid}", json={"endDate": None}, headers=user.headers)
    assert cleared.json()["endDate"] is None
    abandon = await client.patch(
        f"/goals/{gid}", json={"status": "abandoned"}, headers=user.headers
    )
    assert abandon.json()["status"] == "abandoned"
    illegal = await client.patch(f"/goals/{gid}", json={"status": "active"}, headers=user.headers)
    assert illegal.status_code == 409
    assert illegal.json()["type"].endswith("/illegal-transition")
    renamed = await client.patch(f"/goals/{gid}", json={"title": "Old plan"}, headers=user.headers)
    assert renamed.status_code == 200
    cur = await db.execute(
        "SELECT payload->'changedFields' FROM outbox WHERE key = %s "
        "AND event_type = 'goals.goal.updated.v1' ORDER BY id",
        (str(user.id),),
    )
    assert [r[0] for r in await cur.fetchall()] == [
        ["title", "endDate", "targetValue"],
        ["endDate"],
        ["status"],
        ["title"],
    ]


async def test_patch_rejects_another_types_target_and_a_no_op_writes_nothing(
    client, user, db
) -> None:
    gid = (
        await client.post(
            "/goals", json={"type": "workouts_per_week", "workoutsPerWeek": 3}, headers=user.headers
        )
    ).json()["id"]
    wrong = await client.patch(f"/goals/{gid}", json={"minutesPerWeek": 100}, headers=user.headers)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["path"] == "body.minutesPerWeek"
    same = await client.patch(f"/goals/{gid}", json={"workoutsPerWeek": 3}, headers=user.headers)
    assert same.status_code == 200
    assert await _events(db, user.id) == ["goals.goal.created.v1"]


async def test_delete_is_204_then_404_with_an_event(client, user, db, scalar) -> None:
    gid = (
        await client.post(
            "/goals", json={"type": "calorie_adherence", "daysPerWeek": 4}, headers=user.headers
        )
    ).json()["id"]
    assert (await client.delete(f"/goals/{gid}", headers=user.headers)).status_code == 204
    assert (await client.get(f"/goals/{gid}", headers=user.headers)).status_code == 404
    assert (await client.delete(f"/goals/{gid}", headers=user.headers)).status_code == 404
    assert await scalar(db, "SELECT count(*) FROM goals WHERE user_id = %s", user.id) == 0
    assert await _events(db, user.id) == ["goals.goal.created.v1", "goals.goal.deleted.v1"]
