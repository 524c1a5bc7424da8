"""GET /progress/summary: totals equal the inputs (weights posted, events projected)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from fitness_contracts.nutrition import DayTotals, IntakeLoggedV1
from fitness_contracts.training import WorkoutCreatedV1, WorkoutDeletedV1, WorkoutSnapshot
from fitness_platform.events import process_event
from progress.activity.service import on_intake_event, on_workout_event

pytestmark = pytest.mark.usefixtures("app")


async def workout(session_factory, envelope, user_id, day: date, minutes: int, kcal: float | None):
    wid = uuid.uuid4()
    snap = WorkoutSnapshot(
        workout_id=wid,
        user_id=user_id,
        title="Bike",
        started_at=datetime.combine(day, datetime.min.time(), UTC),
        local_date=day,
        duration_min=minutes,
        calories_burned=kcal,
    )
    event = WorkoutCreatedV1(workout=snap, created_at=datetime.now(UTC))
    await process_event(
        session_factory, "progress.workouts", envelope(event, subject=user_id), on_workout_event
    )
    return wid


async def intake(session_factory, envelope, user_id, day: date, kcal: float) -> None:
    event = IntakeLoggedV1(
        user_id=user_id,
        entry_id=uuid.uuid4(),
        day=day,
        day_totals=DayTotals(kcal=kcal, protein_g=50, fat_g=40, carbs_g=150),
        logged_at=datetime.now(UTC),
    )
    await process_event(
        session_factory, "progress.intake", envelope(event, subject=user_id), on_intake_event
    )


async def test_summary_totals_equal_the_inputs(client, user, session_factory, envelope) -> None:
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=i) for i in (20, 10, 3, 1)]
    for day, kg in zip(days, [82.0, 81.0, 80.5, 80.0], strict=True):
        resp = await client.post(
            "/progress/weight", json={"date": day.isoformat(), "weightKg": kg}, headers=user.headers
        )
        assert resp.status_code == 201
    await workout(session_factory, envelope, user.id, today - timedelta(days=2), 30, 250.0)
    await workout(session_factory, envelope, user.id, today - timedelta(days=1), 45, None)
    gone = await workout(session_factory, envelope, user.id, today, 60, 500.0)
    await process_event(
        session_factory,
        "progress.workouts",
        envelope(
            WorkoutDeletedV1(
                workout_id=gone, user_id=user.id, local_date=today, deleted_at=datetime.now(UTC)
            ),
            subject=user.id,
        ),
        on_workout_event,
    )
    await workout(session_factory, envelope, user.id, today - timedelta(days=15), 90, 800.0)
    await intake(session_factory, envelope, user.id, today - timedelta(days=1), 2100.0)
    await intake(session_factory, envelope, user.id, today - timedelta(days=2), 1900.0)

    week = (
        await client.get("/progress/summary", params={"period": "week"}, headers=user.headers)
    ).json()
    assert week["period"] == "week"
    assert week["workouts"] == {"count": 2, "minutes": 75, "kcalBurned": 250.0}
    assert week["intake"] == {"kcalEaten": 4000.0, "daysLogged": 2, "meanKcalPerLoggedDay": 2000.0}
    assert week["weight"]["weighIns"] == 2
    assert week["weight"]["startKg"] == 80.5
    assert week["weight"]["endKg"] == 80.0
    assert week["weight"]["changeKg"] == -0.5

    month = (
        await client.get("/progress/summary", params={"period": "month"}, headers=user.headers)
    ).json()
    assert month["workouts"]["count"] == 3
    assert month["workouts"]["minutes"] == 165
    assert month["weight"]["changeKg"] == -2.0
    # trend: 82 -> 81.9 -> 81.76 -> 81.58
    assert month["weight"]["trendChangeKg"] == pytest.approx(81.58 - 82.0, abs=0.01)

    explicit = (
        await client.get(
            "/progress/summary",
            params={"from": days[0].isoformat(), "to": days[1].isoformat()},
            headers=user.headers,
        )
    ).json()
    assert explicit["period"] is None
    assert explicit["workouts"]["count"] == 1
    assert explicit["weight"]["weighIns"] == 2


async def test_summary_of_another_user_is_empty(client, user, other_user) -> None:
    await client.post(
        "/progress/weight",
        json={"date": datetime.now(UTC).date().isoformat(), "weightKg": 70.0},
        headers=user.headers,
    )
    body = (await client.get("/progress/summary", headers=other_user.headers)).json()
    assert body["weight"]["weighIns"] == 0
    assert body["workouts"]["count"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"period": "decade"},
        {"from": "2026-02-02", "to": "2026-02-01"},
        {"from": "2026-02-02"},
        {"period": "week", "from": "2026-02-01", "to": "2026-02-02"},
        {"from": "1990-01-01", "to": "2026-01-01"},
    ],
)
async def test_bad_summary_query_is_422(client, user, params) -> None:
    resp = await client.get("/progress/summary", params=params, headers=user.headers)
    assert resp.status_code == 422
    assert resp.json()["errors"]
