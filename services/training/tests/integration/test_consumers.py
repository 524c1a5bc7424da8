"""The read models and re-estimation: progress.weight and identity.user events (handled as the
platform's consumer hands them over), redelivery changing nothing, and GDPR erasure."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from fitness_contracts.identity import (
    ProfileSnapshot,
    UserDeletedV1,
    UserProfileUpdatedV1,
    UserRegisteredV1,
)
from fitness_contracts.progress import WeightDeletedV1, WeightRecordedV1
from fitness_platform.events import process_event
from fitness_platform.testing import user_row_counts
from training.consumers import on_user_event, on_weight_event

RUNNING_6MPH = 9
USERS = "training.users"
WEIGHTS = "training.weights"


def weighed(user_id: uuid.UUID, day: date, kg: float) -> WeightRecordedV1:
    return WeightRecordedV1(user_id=user_id, date=day, weight_kg=kg, recorded_at=datetime.now(UTC))


def profile(user_id: uuid.UUID, **fields) -> UserProfileUpdatedV1:
    values = {"name": "Ann", "timezone": "UTC", **fields}
    return UserProfileUpdatedV1(
        user_id=user_id,
        profile=ProfileSnapshot(**values),
        changed_fields=list(fields),
        updated_at=datetime.now(UTC),
    )


async def log_run(client, user, day: str, **extra) -> dict:
    resp = await client.post(
        "/workouts",
        json={
            "title": f"Run {day}",
            "startedAt": f"{day}T08:00:00+00:00",
            "durationMin": 30,
            "exercises": [{"exerciseId": RUNNING_6MPH}],
            **extra,
        },
        headers=user.headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def calories(client, user, workout) -> tuple[float, dict]:
    w = (await client.get(f"/workouts/{workout['id']}", headers=user.headers)).json()
    return w["caloriesBurned"], w["calorieEstimate"]


async def reestimated_events(db, rows, user_id) -> list[dict]:
    found = await rows(
        db,
        "SELECT payload FROM outbox WHERE key = %s AND event_type = 'training.workout.updated.v1' "
        "ORDER BY id",
        str(user_id),
    )
    return [p for (p,) in found if p["reason"] == "reestimated"]


async def test_workouts_use_the_weight_of_their_own_day(
    client, user, session_factory, envelope
) -> None:
    await process_event(
        session_factory,
        WEIGHTS,
        envelope(weighed(user.id, date(2026, 3, 1), 82.0)),
        on_weight_event,
    )
    await process_event(
        session_factory,
        WEIGHTS,
        envelope(weighed(user.id, date(2026, 3, 15), 78.0)),
        on_weight_event,
    )
    before = await log_run(client, user, "2026-03-10")
    after = await log_run(client, user, "2026-03-20")
    assert before["caloriesBurned"] == 401.8  # 9.8 × 82 × 0.5
    assert before["calorieEstimate"]["weightMeasuredOn"] == "2026-03-01"
    assert before["calorieEstimate"]["weightSource"] == "measurement"
    assert after["caloriesBurned"] == 382.2  # 9.8 × 78 × 0.5
    assert after["calorieEstimate"]["weightMeasuredOn"] == "2026-03-15"


async def test_a_late_weight_reestimates_only_up_to_the_next_weigh_in(
    client, user, session_factory, envelope, db, rows
) -> None:
    await process_event(
        session_factory,
        WEIGHTS,
        envelope(weighed(user.id, date(2026, 4, 20), 90.0)),
        on_weight_event,
    )
    early = await log_run(client, user, "2026-04-05")  # default 70 kg → 343
    middle = await log_run(client, user, "2026-04-12")
    late = await log_run(client, user, "2026-04-25")  # 90 kg → 441
    mine = await log_run(client, user, "2026-04-13", caloriesBurned=500)
    assert (early["caloriesBurned"], middle["caloriesBurned"], late["caloriesBurned"]) == (
        343.0,
        343.0,
        441.0,
    )

    # A weigh-in recorded now for 10 April: the workouts of 10-19 April use it.
    late_weight = envelope(weighed(user.id, date(2026, 4, 10), 82.0))
    assert await process_event(session_factory, WEIGHTS, late_weight, on_weight_event) is True
    assert (await calories(client, user, early))[0] == 343.0
    kcal, est = await calories(client, user, middle)
    assert kcal == 401.8
    assert est["weightMeasuredOn"] == "2026-04-10"
    assert (await calories(client, user, late))[0] == 441.0
    assert (await calories(client, user, mine))[0] == 500  # the user's own figure stays
    events = await reestimated_events(db, rows, user.id)
    assert [e["workout"]["workoutId"] for e in events] == [middle["id"]]
    assert events[0]["workout"]["caloriesBurned"] == 401.8

    # Redelivered: the inbox skips it; the same weight under a new event id changes nothing.
    assert await process_event(session_factory, WEIGHTS, late_weight, on_weight_event) is False
    again = envelope(weighed(user.id, date(2026, 4, 10), 82.0))
    assert await process_event(session_factory, WEIGHTS, again, on_weight_event) is True
    assert len(await reestimated_events(db, rows, user.id)) == 1

    # Deleting that weigh-in puts the middle workout back on the default weight.
    gone = WeightDeletedV1(user_id=user.id, date=date(2026, 4, 10), deleted_at=datetime.now(UTC))
    await process_event(session_factory, WEIGHTS, envelope(gone), on_weight_event)
    kcal, est = await calories(client, user, middle)
    assert kcal == 343.0
    assert est["weightSource"] == "default"
    assert len(await reestimated_events(db, rows, user.id)) == 2


async def test_profile_weight_reestimates_only_unmeasured_workouts(
    client, user, session_factory, envelope, db, rows
) -> None:
    registered = UserRegisteredV1(user_id=user.id, name="Ann", registered_at=datetime.now(UTC))
    await process_event(session_factory, USERS, envelope(registered), on_user_event)
    unmeasured = await log_run(client, user, "2026-05-01")
    await process_event(
        session_factory,
        WEIGHTS,
        envelope(weighed(user.id, date(2026, 5, 5), 75.0)),
        on_weight_event,
    )
    measured = await log_run(client, user, "2026-05-06")
    assert measured["caloriesBurned"] == round(9.8 * 75 * 0.5, 1)

    event = envelope(profile(user.id, weight_kg=82.0))
    assert await process_event(session_factory, USERS, event, on_user_event) is True
    kcal, est = await calories(client, user, unmeasured)
    assert kcal == 401.8
    assert est["weightSource"] == "profile"
    assert (await calories(client, user, measured))[0] == round(9.8 * 75 * 0.5, 1)
    assert await process_event(session_factory, USERS, event, on_user_event) is False
    # A name-only change does not touch estimates.
    await process_event(
        session_factory, USERS, envelope(profile(user.id, weight_kg=82.0, name="B")), on_user_event
    )
    assert len(await reestimated_events(db, rows, user.id)) == 1


async def test_deletion_erases_every_row_once(client, user, session_factory, envelope, db) -> None:
    await process_event(
        session_factory, USERS, envelope(profile(user.id, weight_kg=70.0)), on_user_event
    )
    await process_event(
        session_factory,
        WEIGHTS,
        envelope(weighed(user.id, date(2026, 6, 1), 71.0)),
        on_weight_event,
    )
    await log_run(client, user, "2026-06-02")
    before = await user_row_counts(db, user.id)
    assert before["workouts"] == 1
    assert before["weights"] == 1
    assert before["user_profiles"] == 1

    deleted = envelope(UserDeletedV1(user_id=user.id, deleted_at=datetime.now(UTC)))
    assert await process_event(session_factory, USERS, deleted, on_user_event) is True
    after = await user_row_counts(db, user.id)
    assert set(after) >= {"workouts", "weights", "user_profiles"}
    assert all(n == 0 for n in after.values()), after
    # Redelivered: nothing to do, still nothing there.
    assert await process_event(session_factory, USERS, deleted, on_user_event) is False
    assert all(n == 0 for n in (await user_row_counts(db, user.id)).values())
    assert (await client.get("/workouts", headers=user.headers)).json()["total"] == 0


async def test_events_without_an_effect_are_acknowledged(
    client, user, session_factory, envelope, db, rows
) -> None:
    from fitness_contracts.identity import UserLoggedInV1

    w = await log_run(client, user, "2026-08-01")
    login = envelope(UserLoggedInV1(user_id=user.id, at=datetime.now(UTC)))
    assert await process_event(session_factory, USERS, login, on_user_event) is True
    # A weigh-in after every workout changes none of them.
    later = envelope(weighed(user.id, date(2026, 8, 2), 95.0))
    assert await process_event(session_factory, WEIGHTS, later, on_weight_event) is True
    assert (await calories(client, user, w))[0] == 343.0
    assert await reestimated_events(db, rows, user.id) == []
