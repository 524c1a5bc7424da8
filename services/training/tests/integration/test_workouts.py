"""Workouts over HTTP: estimates, user figures, list/filter/paging, replace, delete, and the
outbox event each write adds in its own transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

# Compendium ids seeded by migration 0002.
RUNNING_6MPH = 9  # 12050, 9.8 MET
WALKING_BRISK = 3  # 17200, 4.3 MET
WEIGHTS_GENERAL = 29  # 02054, 3.5 MET

NOW = datetime.now(UTC).replace(microsecond=0)


def body(**overrides):
    data = {
        "title": "Morning run",
        "startedAt": (NOW - timedelta(hours=2)).isoformat(),
        "durationMin": 30,
        "exercises": [{"exerciseId": RUNNING_6MPH}],
    }
    data.update(overrides)
    return data


async def events_of(db, rows, user_id):
    return await rows(
        db, "SELECT event_type, payload FROM outbox WHERE key = %s ORDER BY id", str(user_id)
    )


async def test_create_estimates_with_the_default_weight(client, user, db, rows) -> None:
    resp = await client.post("/workouts", json=body(), headers=user.headers)
    assert resp.status_code == 201, resp.text
    w = resp.json()
    assert resp.headers["location"] == f"/workouts/{w['id']}"
    # 9.8 MET × 70 kg × 0.5 h (Ainsworth 2011), no weigh-in and no profile: 70 kg default.
    assert w["caloriesBurned"] == 343.0
    assert w["caloriesSource"] == "estimated"
    est = w["calorieEstimate"]
    assert est["weightKg"] == 70.0
    assert est["weightSource"] == "default"
    assert est["weightMeasuredOn"] is None
    assert est["exercises"] == [
        {
            "exerciseId": RUNNING_6MPH,
            "name": "Running, 6 mph",
            "met": 9.8,
            "minutes": 30.0,
            "kcal": 343.0,
        }
    ]
    assert w["exercises"][0]["category"] == "cardio"

    events = await events_of(db, rows, user.id)
    assert [e[0] for e in events] == ["training.workout.created.v1"]
    snap = events[0][1]["workout"]
    assert snap["workoutId"] == w["id"]
    assert snap["caloriesBurned"] == 343.0
    assert snap["exerciseCategories"] == ["cardio"]
    assert snap["localDate"] == w["localDate"]

    got = await client.get(f"/workouts/{w['id']}", headers=user.headers)
    assert got.status_code == 200
    assert got.json() == w


async def test_user_calories_win_and_no_exercises_means_no_estimate(client, user) -> None:
    mine = await client.post("/workouts", json=body(caloriesBurned=250), headers=user.headers)
    assert mine.status_code == 201
    assert mine.json()["caloriesBurned"] == 250
    assert mine.json()["caloriesSource"] == "user"
    assert mine.json()["calorieEstimate"] is None

    bare = await client.post("/workouts", json=body(exercises=[]), headers=user.headers)
    assert bare.status_code == 201
    assert bare.json()["caloriesBurned"] is None
    assert bare.json()["caloriesSource"] is None


async def test_duration_sharing(client, user) -> None:
    resp = await client.post(
        "/workouts",
        json=body(
            durationMin=50,
            exercises=[
                {"exerciseId": WALKING_BRISK, "durationMin": 10},
                {"exerciseId": WEIGHTS_GENERAL, "sets": 3, "reps": 10, "weightKg": 40},
                {"exerciseId": RUNNING_6MPH},
            ],
        ),
        headers=user.headers,
    )
    assert resp.status_code == 201, resp.text
    est = resp.json()["calorieEstimate"]
    assert [e["minutes"] for e in est["exercises"]] == [10, 20, 20]
    assert resp.json()["caloriesBurned"] == round((4.3 * 10 + 3.5 * 20 + 9.8 * 20) * 70 / 60, 1)
    assert resp.json()["exercises"][1]["weightKg"] == 40


async def test_local_date_follows_the_profile_timezone(
    client, user, session_factory, envelope
) -> None:
    from fitness_contracts.identity import ProfileSnapshot, UserProfileUpdatedV1
    from fitness_platform.events import process_event
    from training.consumers import on_user_event

    event = UserProfileUpdatedV1(
        user_id=user.id,
        profile=ProfileSnapshot(name="Ann", weight_kg=82.0, timezone="America/New_York"),
        changed_fields=["weight_kg", "timezone"],
        updated_at=datetime.now(UTC),
    )
    await process_event(session_factory, "training.users", envelope(event), on_user_event)
    # 02:30 UTC on 5 March is still 4 March in New York.
    resp = await client.post(
        "/workouts", json=body(startedAt="2026-03-05T02:30:00+00:00"), headers=user.headers
    )
    assert resp.status_code == 201
    assert resp.json()["localDate"] == "2026-03-04"
    # No weigh-in: the profile's 82 kg → 9.8 × 82 × 0.5 = 401.8 kcal.
    assert resp.json()["caloriesBurned"] == 401.8
    assert resp.json()["calorieEstimate"]["weightSource"] == "profile"


async def test_list_newest_first_with_filters_and_paging(client, user) -> None:
    days = [date(2026, 1, d) for d in (3, 1, 5, 2, 4)]
    for i, d in enumerate(days):
        r = await client.post(
            "/workouts",
            json=body(
                title=f"Session {i} {'tempo' if d.day % 2 else 'easy'}",
                startedAt=f"{d}T07:00:00+00:00",
            ),
            headers=user.headers,
        )
        assert r.status_code == 201
    page = (await client.get("/workouts?limit=2", headers=user.headers)).json()
    assert page["total"] == 5
    assert page["limit"] == 2
    assert [w["localDate"] for w in page["items"]] == ["2026-01-05", "2026-01-04"]
    page3 = (await client.get("/workouts?limit=2&page=3", headers=user.headers)).json()
    assert [w["localDate"] for w in page3["items"]] == ["2026-01-01"]
    past_end = (await client.get("/workouts?limit=2&page=9", headers=user.headers)).json()
    assert past_end["items"] == []
    assert past_end["total"] == 5

    ranged = (
        await client.get("/workouts?from=2026-01-02&to=2026-01-04", headers=user.headers)
    ).json()
    assert [w["localDate"] for w in ranged["items"]] == ["2026-01-04", "2026-01-03", "2026-01-02"]
    tempo = (await client.get("/workouts?q=TEMPO", headers=user.headers)).json()
    assert {w["localDate"] for w in tempo["items"]} == {"2026-01-01", "2026-01-03", "2026-01-05"}
    # LIKE wildcards in q are literal.
    assert (await client.get("/workouts?q=%25", headers=user.headers)).json()["total"] == 0


async def test_replace_reestimates_and_emits_updated(client, user, db, rows) -> None:
    w = (await client.post("/workouts", json=body(), headers=user.headers)).json()
    new = body(title="Longer run", durationMin=60)
    resp = await client.put(f"/workouts/{w['id']}", json=new, headers=user.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["title"] == "Longer run"
    assert resp.json()["caloriesBurned"] == 686.0
    assert resp.json()["createdAt"] == w["createdAt"]
    events = await events_of(db, rows, user.id)
    assert [e[0] for e in events] == ["training.workout.created.v1", "training.workout.updated.v1"]
    assert events[1][1]["reason"] == "edited"
    assert events[1][1]["workout"]["caloriesBurned"] == 686.0


async def test_delete_is_204_then_404(client, user, db, rows) -> None:
    w = (await client.post("/workouts", json=body(), headers=user.headers)).json()
    assert (await client.delete(f"/workouts/{w['id']}", headers=user.headers)).status_code == 204
    assert (await client.get(f"/workouts/{w['id']}", headers=user.headers)).status_code == 404
    assert (await client.delete(f"/workouts/{w['id']}", headers=user.headers)).status_code == 404
    events = await events_of(db, rows, user.id)
    assert events[-1][0] == "training.workout.deleted.v1"
    assert events[-1][1]["workoutId"] == w["id"]
    assert (await rows(db, "SELECT count(*) FROM workouts WHERE user_id = %s", user.id))[0][0] == 0


@pytest.mark.parametrize("path", ["/workouts", "/exercises", "/workouts/template"])
async def test_routes_need_a_token(client, path) -> None:
    resp = await client.get(path)
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")
