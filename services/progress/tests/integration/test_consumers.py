"""Read models from events (idempotent on redelivery, stale events ignored) and GDPR erasure of
rows and S3 objects."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from fitness_contracts.identity import ProfileSnapshot, UserDeletedV1, UserProfileUpdatedV1
from fitness_contracts.nutrition import DayTotals, IntakeLoggedV1, MacroTargets, TargetsCalculatedV1
from fitness_contracts.training import (
    WorkoutCreatedV1,
    WorkoutDeletedV1,
    WorkoutSnapshot,
    WorkoutUpdatedV1,
)
from fitness_platform.events import process_event
from fitness_platform.testing import user_row_counts
from progress.activity.service import on_intake_event, on_targets_event, on_workout_event
from progress.consumers import user_handler

pytestmark = pytest.mark.usefixtures("app")
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def snapshot(user_id, workout_id, *, minutes=45, kcal=300.0, day=date(2026, 5, 4)):
    return WorkoutSnapshot(
        workout_id=workout_id,
        user_id=user_id,
        title="Run",
        started_at=T0,
        local_date=day,
        duration_min=minutes,
        calories_burned=kcal,
        calories_source="user",
    )


def profile_event(user_id, **changes):
    values = {
        "name": "Ann",
        "birth_date": date(1990, 1, 1),
        "gender": "female",
        "height_cm": 168.0,
        "weight_kg": 75.0,
        "activity_level": "light",
        "goal": "lose",
        "target_rate_kg_per_week": 0.5,
        "timezone": "Europe/Berlin",
    } | changes
    return UserProfileUpdatedV1(
        user_id=user_id,
        profile=ProfileSnapshot(**values),
        changed_fields=["weight_kg"],
        updated_at=datetime.now(UTC),
    )


async def test_workout_events_upsert_and_delete_with_tombstone(
    session_factory, user, envelope, db, scalar
) -> None:
    wid = uuid.uuid4()
    created = envelope(
        WorkoutCreatedV1(workout=snapshot(user.id, wid), created_at=T0), subject=user.id
    )
    assert await process_event(session_factory, "progress.workouts", created, on_workout_event)
    # Redelivery of the same event id: skipped by the inbox, nothing changes.
    assert not await process_event(session_factory, "progress.workouts", created, on_workout_event)
    updated = envelope(
        WorkoutUpdatedV1(
            workout=snapshot(user.id, wid, minutes=60, kcal=420.0),
            updated_at=T0 + timedelta(minutes=5),
        ),
        subject=user.id,
    )
    await process_event(session_factory, "progress.workouts", updated, on_workout_event)
    assert await scalar(db, "SELECT kcal FROM workouts WHERE workout_id = %s", wid) == 420.0
    # The same create again under a new event id (a producer retry): older, ignored.
    again = envelope(
        WorkoutCreatedV1(workout=snapshot(user.id, wid), created_at=T0), subject=user.id
    )
    await process_event(session_factory, "progress.workouts", again, on_workout_event)
    assert await scalar(db, "SELECT duration_min FROM workouts WHERE workout_id = %s", wid) == 60
    deleted = envelope(
        WorkoutDeletedV1(
            workout_id=wid,
            user_id=user.id,
            local_date=date(2026, 5, 4),
            deleted_at=T0 + timedelta(hours=1),
        ),
        subject=user.id,
    )
    await process_event(session_factory, "progress.workouts", deleted, on_workout_event)
    late = envelope(
        WorkoutUpdatedV1(workout=snapshot(user.id, wid), updated_at=T0 + timedelta(hours=2)),
        subject=user.id,
    )
    await process_event(session_factory, "progress.workouts", late, on_workout_event)
    assert await scalar(db, "SELECT deleted FROM workouts WHERE workout_id = %s", wid) is True


async def test_intake_keeps_latest_day_totals_and_targets(
    session_factory, user, envelope, db, scalar
) -> None:
    def logged(kcal: float, at: datetime):
        return envelope(
            IntakeLoggedV1(
                user_id=user.id,
                entry_id=uuid.uuid4(),
                day=date(2026, 5, 4),
                day_totals=DayTotals(kcal=kcal, protein_g=10, fat_g=5, carbs_g=30),
                logged_at=at,
            ),
            subject=user.id,
        )

    await process_event(session_factory, "progress.intake", logged(500, T0), on_intake_event)
    await process_event(
        session_factory, "progress.intake", logged(1200, T0 + timedelta(hours=4)), on_intake_event
    )
    # An older total delivered late does not roll the day back.
    await process_event(session_factory, "progress.intake", logged(500, T0), on_intake_event)
    assert await scalar(db, "SELECT kcal FROM intake_days WHERE user_id = %s", user.id) == 1200
    target = envelope(
        TargetsCalculatedV1(
            user_id=user.id,
            calculation_id=uuid.uuid4(),
            bmr=1500,
            tdee=2200,
            daily_calories=1800,
            macros=MacroTargets(protein_g=120, fat_g=60, carbs_g=200),
            fiber_g=25,
            reason="manual",
            calculated_at=T0,
        ),
        subject=user.id,
    )
    await process_event(session_factory, "progress.targets", target, on_targets_event)
    assert (
        await scalar(db, "SELECT daily_calories FROM nutrition_targets WHERE user_id = %s", user.id)
        == 1800
    )


async def test_deletion_erases_rows_and_s3_objects(
    app, session_factory, client, user, envelope, db, s3_client, settings
) -> None:
    handler = user_handler(app.state.chart_store)
    await process_event(
        session_factory,
        "progress.profiles",
        envelope(profile_event(user.id), subject=user.id),
        handler,
    )
    assert (
        await client.post(
            "/progress/weight", json={"date": "2026-05-04", "weightKg": 75.0}, headers=user.headers
        )
    ).status_code == 201
    wid = uuid.uuid4()
    await process_event(
        session_factory,
        "progress.workouts",
        envelope(WorkoutCreatedV1(workout=snapshot(user.id, wid), created_at=T0), subject=user.id),
        on_workout_event,
    )
    key = f"reports/{user.id}/2026-05-04.png"
    s3_client.put_object(settings.s3_bucket, key, io.BytesIO(b"x"), 1)
    other_key = f"reports/{uuid.uuid4()}/2026-05-04.png"
    s3_client.put_object(settings.s3_bucket, other_key, io.BytesIO(b"y"), 1)
    assert any((await user_row_counts(db, user.id)).values())

    deleted = envelope(
        UserDeletedV1(user_id=user.id, deleted_at=datetime.now(UTC)), subject=user.id
    )
    assert await process_event(session_factory, "progress.profiles", deleted, handler)
    counts = await user_row_counts(db, user.id)
    assert counts
    assert not any(counts.values()), counts
    listed = list(
        s3_client.list_objects(settings.s3_bucket, prefix=f"reports/{user.id}/", recursive=True)
    )
    assert listed == []
    assert s3_client.stat_object(settings.s3_bucket, other_key).size == 1
    # Redelivery of the deletion: skipped by the inbox.
    assert not await process_event(session_factory, "progress.profiles", deleted, handler)
