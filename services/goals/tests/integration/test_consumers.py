"""Real events through the session's tansu into the goals consumers: read models, automatic
progress (same path as POST /goals/auto-update), achieved exactly once, redelivery changing
nothing, deleted workouts subtracted, GDPR erasure."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from fitness_contracts.identity import ProfileSnapshot, UserDeletedV1, UserProfileUpdatedV1
from fitness_contracts.nutrition import DayTotals, IntakeLoggedV1, MacroTargets, TargetsCalculatedV1
from fitness_contracts.progress import WeightDeletedV1, WeightRecordedV1
from fitness_contracts.training import (
    WorkoutCreatedV1,
    WorkoutDeletedV1,
    WorkoutSnapshot,
    WorkoutUpdatedV1,
)
from fitness_platform.calendar import iso_week_start
from fitness_platform.testing import user_row_counts

pytestmark = pytest.mark.usefixtures("consumers_running")


def _today() -> date:
    return datetime.now(UTC).date()  # users without a profile live in UTC


def _workout(
    user_id: uuid.UUID, workout_id: uuid.UUID, day: date, minutes: int = 40
) -> WorkoutSnapshot:
    return WorkoutSnapshot(
        workout_id=workout_id,
        user_id=user_id,
        title="Run",
        started_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7),
        local_date=day,
        duration_min=minutes,
    )


async def _outbox_types(db: Any, user_id: uuid.UUID) -> list[str]:
    cur = await db.execute(
        "SELECT event_type FROM outbox WHERE key = %s ORDER BY id", (str(user_id),)
    )
    return [r[0] for r in await cur.fetchall()]


async def test_workouts_move_a_weekly_goal_and_it_is_achieved_once(
    client, user, db, publish, inbox_has, scalar
) -> None:
    today = _today()
    created = await client.post(
        "/goals",
        json={
            "type": "workouts_per_week",
            "workoutsPerWeek": 2,
            "startDate": iso_week_start(today).isoformat(),
        },
        headers=user.headers,
    )
    gid = created.json()["id"]
    first = uuid.uuid4()
    now = datetime.now(UTC)
    event = WorkoutCreatedV1(workout=_workout(user.id, first, today), created_at=now)
    eid = await publish(event, user.id)
    await inbox_has(eid)
    goal = (await client.get(f"/goals/{gid}", headers=user.headers)).json()
    assert (goal["progressPct"], goal["currentValue"], goal["status"]) == (50.0, 1.0, "active")

    # The same event again (redelivery) and the same workout under a new event id (a
    # replay): still one workout, nothing new written.
    await publish(event, user.id, event_id=eid)
    await inbox_has(await publish(event, user.id))
    assert await scalar(db, "SELECT count(*) FROM workouts WHERE user_id = %s", user.id) == 1
    assert (await client.get(f"/goals/{gid}", headers=user.headers)).json()["progressPct"] == 50.0
    assert await _outbox_types(db, user.id) == ["goals.goal.created.v1", "goals.goal.updated.v1"]

    second = uuid.uuid4()
    await inbox_has(
        await publish(
            WorkoutCreatedV1(workout=_workout(user.id, second, today), created_at=now), user.id
        )
    )
    done = (await client.get(f"/goals/{gid}", headers=user.headers)).json()
    assert (done["status"], done["progressPct"]) == ("completed", 100.0)
    assert done["achievedAt"] is not None

    # Deleting a workout afterwards lowers the count, but a reached goal stays reached and
    # its achieved event is not written again.
    await inbox_has(
        await publish(
            WorkoutDeletedV1(
                workout_id=second, user_id=user.id, local_date=today, deleted_at=datetime.now(UTC)
            ),
            user.id,
        )
    )
    live = "SELECT count(*) FROM workouts WHERE user_id = %s AND deleted_at IS NULL"
    assert await scalar(db, live, user.id) == 1
    auto = await client.post("/goals/auto-update", headers=user.headers)
    assert auto.json()["changes"] == []
    types = await _outbox_types(db, user.id)
    assert types.count("goals.goal.achieved.v1") == 1
    cur = await db.execute(
        "SELECT payload FROM outbox WHERE key = %s AND event_type = 'goals.goal.achieved.v1'",
        (str(user.id),),
    )
    payload = (await cur.fetchone())[0]
    assert payload["goal"]["status"] == "completed"
    assert payload["currentValue"] == 2.0


async def test_a_deleted_workout_is_subtracted_and_a_late_update_does_not_revive_it(
    client, user, db, publish, inbox_has
) -> None:
    today = _today()
    gid = (
        await client.post(
            "/goals",
            json={
                "type": "weekly_active_minutes",
                "minutesPerWeek": 100,
                "startDate": iso_week_start(today).isoformat(),
            },
            headers=user.headers,
        )
    ).json()["id"]
    wid = uuid.uuid4()
    now = datetime.now(UTC)
    await inbox_has(
        await publish(
            WorkoutCreatedV1(workout=_workout(user.id, wid, today, 30), created_at=now), user.id
        )
    )
    await inbox_has(
        await publish(
            WorkoutUpdatedV1(
                workout=_workout(user.id, wid, today, 60), updated_at=now + timedelta(seconds=1)
            ),
            user.id,
        )
    )
    assert (await client.get(f"/goals/{gid}", headers=user.headers)).json()["currentValue"] == 60
    await inbox_has(
        await publish(
            WorkoutDeletedV1(
                workout_id=wid,
                user_id=user.id,
                local_date=today,
                deleted_at=now + timedelta(seconds=2),
            ),
            user.id,
        )
    )
    await inbox_has(
        await publish(
            WorkoutUpdatedV1(
                workout=_workout(user.id, wid, today, 90),
                reason="reestimated",
                updated_at=now + timedelta(seconds=3),
            ),
            user.id,
        )
    )
    goal = (await client.get(f"/goals/{gid}", headers=user.headers)).json()
    assert (goal["currentValue"], goal["progressPct"]) == (0.0, 0.0)


async def test_weight_goal_follows_the_trend_of_weigh_ins(
    client, user, db, publish, inbox_has
) -> None:
    today = _today()
    start = today - timedelta(days=5)
    # The profile says 80 kg: the goal to reach 79 is a loss.
    await inbox_has(
        await publish(
            UserProfileUpdatedV1(
                user_id=user.id,
                profile=ProfileSnapshot(name="W", weight_kg=80.0, timezone="UTC"),
                changed_fields=["weightKg"],
                updated_at=datetime.now(UTC),
            ),
            user.id,
        )
    )
    created = await client.post(
        "/goals",
        json={"type": "weight_target", "targetWeightKg": 79, "startDate": start.isoformat()},
        headers=user.headers,
    )
    assert created.json()["direction"] == "lose"
    gid = created.json()["id"]
    recorded = datetime.now(UTC)
    for offset, kg in ((5, 80.0), (4, 78.0), (3, 78.0)):
        await inbox_has(
            await publish(
                WeightRecordedV1(
                    user_id=user.id,
                    date=today - timedelta(days=offset),
                    weight_kg=kg,
                    recorded_at=recorded,
                ),
                user.id,
            )
        )
    evaluation = (await client.post("/goals/evaluate", headers=user.headers)).json()
    (weight,) = evaluation["goals"]
    # Trend 80 → 79.8 → 79.62: 38 % of the way to 79 kg, not the raw 78 (which would be 100 %).
    assert weight["current"] == pytest.approx(79.62)
    assert weight["progressPct"] == pytest.approx(38.0)
    assert weight["evidence"]["lastWeightKg"] == 78.0
    assert weight["evidence"]["startWeightKg"] == 80.0
    assert weight["achieved"] is False
    stored = (await client.get(f"/goals/{gid}", headers=user.headers)).json()
    assert stored["progressPct"] == pytest.approx(38.0)
    # Removing a weigh-in recomputes the trend.
    await inbox_has(
        await publish(
            WeightDeletedV1(
                user_id=user.id, date=today - timedelta(days=3), deleted_at=datetime.now(UTC)
            ),
            user.id,
        )
    )
    after = (await client.post("/goals/evaluate", headers=user.headers)).json()["goals"][0]
    assert after["current"] == pytest.approx(79.8)


async def test_calorie_adherence_streak_from_intake_and_targets(
    client, user, publish, inbox_has
) -> None:
    today = _today()
    start = today - timedelta(days=3)
    gid = (
        await client.post(
            "/goals",
            json={"type": "calorie_adherence", "daysPerWeek": 7, "startDate": start.isoformat()},
            headers=user.headers,
        )
    ).json()["id"]
    await inbox_has(
        await publish(
            TargetsCalculatedV1(
                user_id=user.id,
                calculation_id=uuid.uuid4(),
                bmr=1600,
                tdee=2400,
                daily_calories=2000,
                macros=MacroTargets(protein_g=150, fat_g=60, carbs_g=200),
                fiber_g=28,
                reason="manual",
                calculated_at=datetime.now(UTC) - timedelta(days=10),
            ),
            user.id,
        )
    )
    for offset, kcal in ((3, 2100.0), (2, 1500.0), (1, 1950.0), (0, 2000.0)):
        await inbox_has(
            await publish(
                IntakeLoggedV1(
                    user_id=user.id,
                    entry_id=uuid.uuid4(),
                    day=today - timedelta(days=offset),
                    day_totals=DayTotals(kcal=kcal, protein_g=1, fat_g=1, carbs_g=1),
                    logged_at=datetime.now(UTC),
                ),
                user.id,
            )
        )
    resp = await client.post("/goals/streak", json={"goalId": gid}, headers=user.headers)
    assert resp.status_code == 200, resp.text
    (streak,) = resp.json()["streaks"]
    assert streak["period"] == "day"
    # 3 days ago ok, 2 days ago −25 % (a break), yesterday ok, today in progress.
    assert (streak["current"], streak["longest"], streak["judgedPeriods"]) == (1, 1, 3)
    assert streak["lastSuccessfulPeriod"] == (today - timedelta(days=1)).isoformat()
    assert streak["inProgressPeriod"] == today.isoformat()


async def test_account_deletion_erases_every_row(client, user, db, publish, inbox_has) -> None:
    today = _today()
    await client.post(
        "/goals", json={"type": "workouts_per_week", "workoutsPerWeek": 3}, headers=user.headers
    )
    now = datetime.now(UTC)
    profile = UserProfileUpdatedV1(
        user_id=user.id,
        profile=ProfileSnapshot(name="Bye", timezone="Europe/Berlin"),
        changed_fields=["timezone"],
        updated_at=now,
    )
    profile_eid = await publish(profile, user.id)
    await inbox_has(profile_eid)
    await inbox_has(
        await publish(
            WorkoutCreatedV1(workout=_workout(user.id, uuid.uuid4(), today), created_at=now),
            user.id,
        )
    )
    await inbox_has(
        await publish(
            WeightRecordedV1(user_id=user.id, date=today, weight_kg=70, recorded_at=now), user.id
        )
    )
    before = await user_row_counts(db, user.id)
    assert sum(before.values()) >= 4
    await inbox_has(await publish(UserDeletedV1(user_id=user.id, deleted_at=now), user.id))
    after = await user_row_counts(db, user.id)
    assert set(after) >= {"goals", "workouts", "weight_entries", "user_profiles"}
    assert all(n == 0 for n in after.values()), after
    # The profile event redelivered after the deletion (same id) does not resurrect the user;
    # a later event on the topic proves the consumer has gone past it.
    await publish(profile, user.id, event_id=profile_eid)
    await inbox_has(await publish(UserDeletedV1(user_id=user.id, deleted_at=now), user.id))
    assert all(n == 0 for n in (await user_row_counts(db, user.id)).values())


async def test_inbox_ids_older_than_the_retention_are_pruned(
    session_factory, settings, db, scalar
) -> None:
    from goals.consumer import prune_once

    old, fresh = uuid.uuid4(), uuid.uuid4()
    await db.execute(
        "INSERT INTO inbox (consumer, event_id, processed_at) VALUES "
        "('test', %s, now() - interval '15 days'), ('test', %s, now())",
        (old, fresh),
    )
    assert await prune_once(session_factory, settings) >= 1
    assert await scalar(db, "SELECT count(*) FROM inbox WHERE event_id = %s", old) == 0
    assert await scalar(db, "SELECT count(*) FROM inbox WHERE event_id = %s", fresh) == 1
