"""Profile read model, recalculation on profile change (idempotent) and GDPR erasure."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fitness_contracts.identity import (
    ProfileSnapshot,
    UserDeletedV1,
    UserProfileUpdatedV1,
    UserRegisteredV1,
)
from fitness_platform.events import EventEnvelope, cloudevent_headers, decode_event, process_event
from fitness_platform.testing import user_row_counts
from nutrition.consumers import on_user_event
from nutrition.domain import energy

CONSUMER = "nutrition.profiles"


def envelope(event: Any, *, event_id: uuid.UUID | None = None) -> EventEnvelope:
    headers = cloudevent_headers(
        event_type=event.event_type,
        source="/identity",
        event_id=event_id or uuid.uuid4(),
        time=datetime.now(UTC),
        subject=str(event.user_id),
    )
    return decode_event(headers, event.model_dump_json(by_alias=True).encode())


def profile_event(user_id: uuid.UUID, **changes: Any) -> UserProfileUpdatedV1:
    values: dict[str, Any] = {
        "name": "Ann",
        "birth_date": date(1990, 1, 1),
        "gender": "female",
        "height_cm": 165.0,
        "weight_kg": 70.0,
        "activity_level": "light",
        "goal": "lose",
        "target_rate_kg_per_week": 0.5,
        "timezone": "Europe/Berlin",
    }
    values.update(changes)
    return UserProfileUpdatedV1(
        user_id=user_id,
        profile=ProfileSnapshot(**values),
        changed_fields=list(changes) or ["weight_kg"],
        updated_at=datetime.now(UTC),
    )


async def count(db, rows, table: str, user_id: uuid.UUID) -> int:
    return (await rows(db, f"SELECT count(*) FROM {table} WHERE user_id = %s", user_id))[0][0]  # noqa: S608


async def test_profile_event_twice_gives_one_recalculation(
    session_factory, client, user, db, rows
) -> None:
    await process_event(
        session_factory,
        CONSUMER,
        envelope(UserRegisteredV1(user_id=user.id, name="Ann", registered_at=datetime.now(UTC))),
        on_user_event,
    )
    event = envelope(profile_event(user.id))
    assert await process_event(session_factory, CONSUMER, event, on_user_event) is True
    assert await process_event(session_factory, CONSUMER, event, on_user_event) is False

    assert await count(db, rows, "calculations", user.id) == 1
    events = await rows(
        db,
        "SELECT payload FROM outbox WHERE key = %s AND event_type = 'nutrition.targets.calculated.v1'",
        str(user.id),
    )
    assert len(events) == 1
    assert events[0][0]["reason"] == "profile_change"

    me = (await client.get("/nutrition/me", headers=user.headers)).json()
    age = energy.energy_targets(
        sex="female",
        age=me["input"]["age"],
        height_cm=165,
        weight_kg=70,
        activity_level="light",
        goal="lose",
        target_rate_kg_per_week=0.5,
    )
    assert me["source"] == "saved"
    assert me["reason"] == "profile_change"
    assert me["dailyCalories"] == age.daily_calories

    # A new event with the same calculation inputs (e.g. only the name changed): no new row.
    same = envelope(profile_event(user.id, name="Ann B."))
    assert await process_event(session_factory, CONSUMER, same, on_user_event) is True
    assert await count(db, rows, "calculations", user.id) == 1

    # A weight change recalculates.
    heavier = envelope(profile_event(user.id, weight_kg=72.0))
    await process_event(session_factory, CONSUMER, heavier, on_user_event)
    assert await count(db, rows, "calculations", user.id) == 2
    me = (await client.get("/nutrition/me", headers=user.headers)).json()
    assert me["input"]["weightKg"] == 72.0


async def test_incomplete_profile_and_on_demand_recalculation(
    session_factory, client, user, db, rows
) -> None:
    assert (
        await client.post("/nutrition/recalculate-on-profile-change", headers=user.headers)
    ).status_code == 409
    partial = envelope(profile_event(user.id, height_cm=None))
    await process_event(session_factory, CONSUMER, partial, on_user_event)
    assert await count(db, rows, "calculations", user.id) == 0
    resp = await client.post("/nutrition/recalculate-on-profile-change", headers=user.headers)
    assert resp.status_code == 409
    assert resp.json()["missingFields"] == ["height_cm"]
    assert (await client.get("/nutrition/me", headers=user.headers)).status_code == 404

    complete = envelope(profile_event(user.id))
    await process_event(session_factory, CONSUMER, complete, on_user_event)
    resp = await client.post("/nutrition/recalculate-on-profile-change", headers=user.headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["reason"] == "profile_change"
    assert await count(db, rows, "calculations", user.id) == 2


async def test_me_falls_back_to_the_profile(session_factory, client, user, db, rows) -> None:
    # Out-of-bounds rate from identity: stored, but no automatic calculation.
    await process_event(
        session_factory,
        CONSUMER,
        envelope(profile_event(user.id, target_rate_kg_per_week=3.0)),
        on_user_event,
    )
    assert await count(db, rows, "calculations", user.id) == 0
    resp = await client.get("/nutrition/me", headers=user.headers)
    assert resp.status_code == 404
    await process_event(
        session_factory, CONSUMER, envelope(profile_event(user.id, goal="maintain")), on_user_event
    )
    # maintain ignores the rate: a calculation exists now; delete it to see the fallback.
    await db.execute("DELETE FROM calculations WHERE user_id = %s", (user.id,))
    me = (await client.get("/nutrition/me", headers=user.headers)).json()
    assert me["source"] == "profile"
    assert me["id"] is None
    assert me["input"]["goal"] == "maintain"


async def test_stale_snapshot_is_ignored(session_factory, user, db, rows) -> None:
    newer = profile_event(user.id, weight_kg=75.0)
    older = UserProfileUpdatedV1(
        user_id=user.id,
        profile=profile_event(user.id, weight_kg=60.0).profile,
        changed_fields=["weight_kg"],
        updated_at=newer.updated_at - timedelta(minutes=5),
    )
    await process_event(session_factory, CONSUMER, envelope(newer), on_user_event)
    await process_event(session_factory, CONSUMER, envelope(older), on_user_event)
    stored = await rows(
        db, "SELECT weight_kg, timezone FROM user_profiles WHERE user_id = %s", user.id
    )
    assert stored == [(75.0, "Europe/Berlin")]


async def test_user_deleted_erases_every_row_in_every_table(
    session_factory, client, user, other_user, calc_body, db
) -> None:
    from nutrition.gdpr import erase_user

    await process_event(session_factory, CONSUMER, envelope(profile_event(user.id)), on_user_event)
    for who in (user, other_user):
        await client.post("/nutrition/save", json=calc_body, headers=who.headers)
        await client.post(
            "/nutrition/diary",
            json={"mealSlot": "lunch", "foodId": 1001, "grams": 10},
            headers=who.headers,
        )
    # Rows in the tables whose routes are slow or rule-driven, written directly.
    await db.execute(
        "INSERT INTO personal_plans (id, user_id, start_date, params, plan) "
        "VALUES (%s, %s, '2026-01-05', '{}', '{}')",
        (uuid.uuid4(), user.id),
    )
    await db.execute(
        "INSERT INTO achievements (id, user_id, code, week_start) VALUES (%s, %s, 'test', '2026-01-05')",
        (uuid.uuid4(), user.id),
    )
    # A delta-sync tombstone (of an item deleted on another device) is the user's data too.
    await db.execute(
        "INSERT INTO sync_tombstones (entity, item_id, user_id, change_xid, deleted_at) "
        "VALUES ('diary_entry', %s, %s, 1, now())",
        (str(uuid.uuid4()), user.id),
    )
    before = await user_row_counts(db, user.id)
    assert {
        "calculations",
        "diary_entries",
        "user_profiles",
        "personal_plans",
        "achievements",
    } <= set(before)
    assert before["calculations"] >= 2
    assert before["diary_entries"] == 1
    assert all(n > 0 for n in before.values()), before

    # The platform's shared deletion path uses the same erase function.
    deleted = envelope(UserDeletedV1(user_id=user.id, deleted_at=datetime.now(UTC)))
    await process_event(
        session_factory, "nutrition.user-deletion", deleted, lambda s, e: erase_user(s, user.id)
    )
    await process_event(session_factory, CONSUMER, deleted, on_user_event)

    after = await user_row_counts(db, user.id)
    assert after.keys() == before.keys()
    assert not any(after.values()), after
    # Other users are untouched.
    others = await user_row_counts(db, other_user.id)
    assert (others["calculations"], others["diary_entries"]) == (1, 1)
