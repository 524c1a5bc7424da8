"""The exercise catalogue (every DOMAIN.md Compendium row), templates with estimates for the
caller's weight, starting one, and the audited admin CRUD."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from fitness_contracts.progress import WeightRecordedV1
from fitness_platform.events import process_event
from training.consumers import on_weight_event

# DOMAIN.md "Calories burned": Ainsworth 2011 code → MET (soccer and tennis are two rows each).
DOMAIN_TABLE = {
    "17170": 3.0, "17190": 3.5, "17200": 4.3, "17220": 5.0, "17230": 7.0, "17080": 6.0,
    "12020": 7.0, "12030": 8.3, "12050": 9.8, "12070": 11.0, "12080": 11.8, "12090": 11.8,
    "12110": 12.8, "12120": 14.5, "15551": 11.8, "02150": 2.5, "18240": 5.8, "18310": 6.0,
    "15055": 6.5, "03015": 7.3, "15430": 10.3, "01010": 4.0, "01020": 6.8, "01030": 8.0,
    "01040": 10.0, "02010": 7.0, "02071": 4.8, "02073": 8.5, "02054": 3.5, "02052": 5.0,
    "02050": 6.0, "02040": 8.0, "02020": 8.0, "02048": 5.0, "02065": 9.0, "17134": 8.8,
    "02105": 3.0, "18230": 9.8, "15605": 10.0, "15610": 7.0, "15675": 7.3, "15685": 4.5,
    "03031": 7.8, "15230": 8.0,
}  # fmt: skip


async def all_exercises(client, user) -> list[dict]:
    items: list[dict] = []
    page = 1
    while True:
        resp = await client.get(f"/exercises?limit=100&page={page}", headers=user.headers)
        assert resp.status_code == 200
        items += resp.json()["items"]
        if len(items) >= resp.json()["total"]:
            return items
        page += 1


async def test_catalogue_has_every_domain_row(client, user) -> None:
    items = await all_exercises(client, user)
    assert {e["metCode"]: e["met"] for e in items} == DOMAIN_TABLE
    assert {e["edition"] for e in items} == {"2011"}
    assert {e["category"] for e in items} <= {
        "cardio", "strength", "hiit", "flexibility", "water", "sport"
    }  # fmt: skip
    run = next(e for e in items if e["metCode"] == "12050")
    assert run == {
        "id": 9,
        "name": "Running, 6 mph",
        "category": "cardio",
        "metCode": "12050",
        "met": 9.8,
        "edition": "2011",
    }


async def test_catalogue_search_and_category(client, user) -> None:
    found = (await client.get("/exercises?q=run 6", headers=user.headers)).json()
    assert [e["metCode"] for e in found["items"]] == ["12050"]
    soccer = (await client.get("/exercises?q=SOCCER", headers=user.headers)).json()
    assert {e["metCode"] for e in soccer["items"]} == {"15605", "15610"}
    strength = (await client.get("/exercises?category=strength", headers=user.headers)).json()
    assert strength["total"] == 4
    assert all(e["category"] == "strength" for e in strength["items"])
    assert (await client.get("/exercises?q=%25", headers=user.headers)).json()["total"] == 0


async def test_templates_are_estimated_for_the_callers_weight(
    client, user, session_factory, envelope
) -> None:
    listing = (await client.get("/workouts/template?limit=100", headers=user.headers)).json()
    assert listing["total"] >= 8
    by_name = {t["name"]: t for t in listing["items"]}
    walk = by_name["Brisk walk for health"]
    assert walk["level"] == "beginner"
    assert walk["durationMin"] == 30
    # 4.3 MET × 70 kg × 0.5 h with the default weight.
    assert walk["estimatedKcal"] == round(4.3 * 70 * 0.5, 1)
    assert walk["calorieEstimate"]["weightSource"] == "default"
    assert by_name["Beginner full-body strength"]["exercises"][1]["sets"] == 3

    today = datetime.now(UTC).date()
    weight = WeightRecordedV1(
        user_id=user.id, date=today, weight_kg=90.0, recorded_at=datetime.now(UTC)
    )
    await process_event(session_factory, "training.weights", envelope(weight), on_weight_event)
    again = await client.get(f"/workouts/template/{walk['id']}", headers=user.headers)
    assert again.json()["estimatedKcal"] == round(4.3 * 90 * 0.5, 1)
    assert again.json()["calorieEstimate"]["weightMeasuredOn"] == today.isoformat()

    filtered = (await client.get("/workouts/template?level=advanced", headers=user.headers)).json()
    assert filtered["total"] >= 1
    assert all(t["level"] == "advanced" for t in filtered["items"])


async def test_start_a_template_logs_a_workout(client, user) -> None:
    listing = (await client.get("/workouts/template?limit=100", headers=user.headers)).json()
    hiit = next(t for t in listing["items"] if t["name"] == "HIIT circuit")
    resp = await client.post(
        f"/workouts/template/{hiit['id']}/start",
        json={"startedAt": "2026-02-10T18:00:00+01:00"},
        headers=user.headers,
    )
    assert resp.status_code == 201, resp.text
    w = resp.json()
    assert resp.headers["location"] == f"/workouts/{w['id']}"
    assert w["title"] == "HIIT circuit"
    assert w["durationMin"] == hiit["durationMin"]
    assert w["localDate"] == "2026-02-10"
    assert [e["exerciseId"] for e in w["exercises"]] == [e["exerciseId"] for e in hiit["exercises"]]
    assert w["caloriesBurned"] == hiit["estimatedKcal"]
    missing = await client.post(f"/workouts/template/{uuid.uuid4()}/start", headers=user.headers)
    assert missing.status_code == 404
    bare = await client.post(f"/workouts/template/{hiit['id']}/start", headers=user.headers)
    assert bare.status_code == 201
    assert bare.json()["localDate"] == datetime.now(UTC).date().isoformat()


TEMPLATE = {
    "name": "Stair sprints",
    "level": "advanced",
    "goal": "fat_loss",
    "description": "Ten fast flights with walking recovery.",
    "durationMin": 20,
    "exercises": [
        {"exerciseId": 36, "durationMin": 10, "sets": 10},
        {"exerciseId": 2},
    ],
}


async def audit_rows(db, rows, actor_id: uuid.UUID) -> list[tuple]:
    return await rows(
        db, "SELECT action, target FROM admin_audit WHERE actor_id = %s ORDER BY id", actor_id
    )


async def test_admin_crud_is_audited(client, admin, user, db, rows) -> None:
    name = f"Stair sprints {uuid.uuid4().hex[:6]}"
    created = await client.post(
        "/admin/content/workout-templates", json={**TEMPLATE, "name": name}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    t = created.json()
    url = f"/admin/content/workout-templates/{t['id']}"
    assert created.headers["location"] == url
    # 8.8 × 70 / 6 + 3.5 × 70 / 6 (the walk gets the other 10 minutes).
    assert t["estimatedKcal"] == round((8.8 + 3.5) * 70 / 6, 1)
    dup = await client.post(
        "/admin/content/workout-templates",
        json={**TEMPLATE, "name": name.upper()},
        headers=admin.headers,
    )
    assert dup.status_code == 409

    # Users see it at once.
    assert (
        await client.get(f"/workouts/template/{t['id']}", headers=user.headers)
    ).status_code == 200

    taken = await client.put(url, json={**TEMPLATE, "name": "Mobility flow"}, headers=admin.headers)
    assert taken.status_code == 409
    missing = await client.put(
        f"/admin/content/workout-templates/{uuid.uuid4()}", json=TEMPLATE, headers=admin.headers
    )
    assert missing.status_code == 404
    updated = await client.put(
        url, json={**TEMPLATE, "name": name, "durationMin": 30}, headers=admin.headers
    )
    assert updated.status_code == 200
    assert updated.json()["durationMin"] == 30
    assert (await client.get(url, headers=admin.headers)).json()["durationMin"] == 30
    assert (await client.delete(url, headers=admin.headers)).status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    assert (await client.delete(url, headers=admin.headers)).status_code == 404

    assert await audit_rows(db, rows, admin.id) == [
        ("workout_template.create", f"workout_template:{t['id']}"),
        ("workout_template.update", f"workout_template:{t['id']}"),
        ("workout_template.delete", f"workout_template:{t['id']}"),
    ]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"exercises": []}, "body.exercises"),
        ({"exercises": [{"exerciseId": 424242}]}, "body.exercises[0].exerciseId"),
        ({"level": "expert"}, "body.level"),
        ({"durationMin": 5}, "body"),
        ({"name": ""}, "body.name"),
        ({"createdAt": "2026-01-01T00:00:00Z"}, "body.createdAt"),
    ],
)
async def test_admin_bad_input_is_422_and_not_audited(
    client, admin, db, rows, change, path
) -> None:
    resp = await client.post(
        "/admin/content/workout-templates", json={**TEMPLATE, **change}, headers=admin.headers
    )
    assert resp.status_code == 422
    assert path in [e["path"] for e in resp.json()["errors"]]
    assert await audit_rows(db, rows, admin.id) == []
