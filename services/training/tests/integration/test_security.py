"""Bad input → 422 problem+json with field paths and nothing written; unknown fields
(mass assignment) rejected; another user's ids → 404 on every route; admin routes refuse users."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

RUNNING_6MPH = 9
NOW = datetime.now(UTC).replace(microsecond=0)


def body(**overrides):
    data = {
        "title": "Intervals",
        "startedAt": (NOW - timedelta(hours=1)).isoformat(),
        "durationMin": 40,
        "exercises": [{"exerciseId": RUNNING_6MPH}],
    }
    data.update(overrides)
    return data


async def counts(db, rows, user_id):
    workouts = (await rows(db, "SELECT count(*) FROM workouts WHERE user_id = %s", user_id))[0][0]
    events = (await rows(db, "SELECT count(*) FROM outbox WHERE key = %s", str(user_id)))[0][0]
    return workouts, events


BAD = {
    "durationMin 0": (body(durationMin=0), "body.durationMin"),
    "durationMin 1441": (body(durationMin=1441), "body.durationMin"),
    "durationMin as text": (body(durationMin="30"), "body.durationMin"),
    "future startedAt": (
        body(startedAt=(NOW + timedelta(days=2)).isoformat()),
        "body.startedAt",
    ),
    "startedAt without offset": (body(startedAt="2026-01-01T10:00:00"), "body.startedAt"),
    "ancient startedAt": (body(startedAt="1990-01-01T10:00:00+00:00"), "body.startedAt"),
    "unknown exerciseId": (
        body(exercises=[{"exerciseId": 99_999}]),
        "body.exercises[0].exerciseId",
    ),
    "51 exercises": (body(exercises=[{"exerciseId": RUNNING_6MPH}] * 51), "body.exercises"),
    "title over 120": (body(title="x" * 121), "body.title"),
    "empty title": (body(title="   "), "body.title"),
    "title with NUL": (body(title="a\x00b"), "body.title"),
    "notes over 2000": (body(notes="n" * 2001), "body.notes"),
    "exercise notes over 500": (
        body(exercises=[{"exerciseId": RUNNING_6MPH, "notes": "n" * 501}]),
        "body.exercises[0].notes",
    ),
    "sets 0": (body(exercises=[{"exerciseId": RUNNING_6MPH, "sets": 0}]), "body.exercises[0].sets"),
    "reps 1001": (
        body(exercises=[{"exerciseId": RUNNING_6MPH, "reps": 1001}]),
        "body.exercises[0].reps",
    ),
    "weightKg over 1000": (
        body(exercises=[{"exerciseId": RUNNING_6MPH, "weightKg": 1000.5}]),
        "body.exercises[0].weightKg",
    ),
    "negative distance": (
        body(exercises=[{"exerciseId": RUNNING_6MPH, "distanceKm": -1}]),
        "body.exercises[0].distanceKm",
    ),
    "caloriesBurned over 10000": (body(caloriesBurned=10_001), "body.caloriesBurned"),
    "exercise durations over the total": (
        body(durationMin=20, exercises=[{"exerciseId": RUNNING_6MPH, "durationMin": 30}]),
        "body",
    ),
    "missing title": ({k: v for k, v in body().items() if k != "title"}, "body.title"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
async def test_bad_input_is_422_and_writes_nothing(client, user, db, rows, case) -> None:
    data, path = BAD[case]
    resp = await client.post("/workouts", json=data, headers=user.headers)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["status"] == 422
    assert path in [e["path"] for e in problem["errors"]], problem["errors"]
    assert await counts(db, rows, user.id) == (0, 0)


async def test_bad_replace_leaves_the_workout_alone(client, user, db, rows) -> None:
    w = (await client.post("/workouts", json=body(), headers=user.headers)).json()
    resp = await client.put(
        f"/workouts/{w['id']}", json=body(exercises=[{"exerciseId": 99_999}]), headers=user.headers
    )
    assert resp.status_code == 422
    assert (await client.get(f"/workouts/{w['id']}", headers=user.headers)).json() == w
    assert await counts(db, rows, user.id) == (1, 1)


@pytest.mark.parametrize(
    "extra",
    [
        {"userId": str(uuid.uuid4())},
        {"id": str(uuid.uuid4())},
        {"caloriesSource": "user"},
        {"calorieEstimate": {"weightKg": 1}},
        {"exercises": [{"exerciseId": RUNNING_6MPH, "met": 50}]},
    ],
)
async def test_mass_assignment_is_rejected(client, user, db, rows, extra) -> None:
    resp = await client.post("/workouts", json={**body(), **extra}, headers=user.headers)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["type"] == "extra_forbidden"
    assert await counts(db, rows, user.id) == (0, 0)


async def test_bad_query_parameters_are_422(client, user) -> None:
    for query in (
        "from=0",
        "to=2026-13-01",
        "from=2026-02-02&to=2026-02-01",
        "limit=101",
        "page=0",
        "q=" + "q" * 101,
    ):
        resp = await client.get(f"/workouts?{query}", headers=user.headers)
        assert resp.status_code == 422, query
    resp = await client.get("/exercises?category=yoga", headers=user.headers)
    assert resp.status_code == 422


async def test_another_users_workout_is_404_everywhere(client, user, other_user, db, rows) -> None:
    w = (await client.post("/workouts", json=body(), headers=user.headers)).json()
    url = f"/workouts/{w['id']}"
    h = other_user.headers
    for resp in (
        await client.get(url, headers=h),
        await client.put(url, json=body(title="mine now"), headers=h),
        await client.delete(url, headers=h),
    ):
        assert resp.status_code == 404
        assert resp.json()["type"].endswith("/not-found")
    listing = (await client.get("/workouts", headers=h)).json()
    assert listing["total"] == 0
    # Nothing changed for the owner, and no event was written for the other user.
    assert (await client.get(url, headers=user.headers)).json() == w
    assert await counts(db, rows, other_user.id) == (0, 0)
    # An unknown id answers exactly the same.
    unknown = await client.get(f"/workouts/{uuid.uuid4()}", headers=h)
    assert unknown.status_code == 404


async def test_templates_start_for_another_user_only_creates_their_own(
    client, user, other_user
) -> None:
    template = (await client.get("/workouts/template", headers=user.headers)).json()["items"][0]
    started = await client.post(
        f"/workouts/template/{template['id']}/start", headers=other_user.headers
    )
    assert started.status_code == 201
    assert (await client.get("/workouts", headers=user.headers)).json()["total"] == 0
    assert (await client.get(started.headers["location"], headers=user.headers)).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/content/workout-templates"),
        ("POST", "/admin/content/workout-templates"),
        ("GET", f"/admin/content/workout-templates/{uuid.uuid4()}"),
        ("PUT", f"/admin/content/workout-templates/{uuid.uuid4()}"),
        ("DELETE", f"/admin/content/workout-templates/{uuid.uuid4()}"),
    ],
)
async def test_admin_routes_refuse_plain_users(client, user, method, path) -> None:
    resp = await client.request(method, path, headers=user.headers, json={})
    assert resp.status_code == 403
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_tampered_and_expired_tokens_are_401(client, user, token_factory) -> None:
    token = user.headers["Authorization"]
    tampered = {"Authorization": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")}
    assert (await client.get("/workouts", headers=tampered)).status_code == 401
    expired = token_factory.headers(user.id, ttl=-120)
    assert (await client.get("/workouts", headers=expired)).status_code == 401
