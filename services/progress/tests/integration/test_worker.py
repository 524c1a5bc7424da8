"""The worker's consumers end to end through the real broker: events published with aiokafka
become read-model rows once (a redelivered copy changes nothing), and deletion erases all."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from aiokafka import AIOKafkaProducer

from fitness_contracts.identity import ProfileSnapshot, UserDeletedV1, UserProfileUpdatedV1
from fitness_contracts.nutrition import DayTotals, IntakeLoggedV1, MacroTargets, TargetsCalculatedV1
from fitness_contracts.training import WorkoutCreatedV1, WorkoutSnapshot
from fitness_platform.events import cloudevent_headers
from fitness_platform.testing import user_row_counts, wait_until


@pytest.fixture
async def worker(app, settings, session_factory):
    """What ``python -m progress.worker`` subscribes, on a real broker."""
    from fitness_platform.events import make_broker
    from progress import consumers

    broker = make_broker(settings)
    consumers.register(
        broker, settings=settings, session_factory=session_factory, store=app.state.chart_store
    )
    await broker.start()
    yield broker
    await broker.stop()


async def publish(bootstrap: str, event, user_id: uuid.UUID, event_id: uuid.UUID) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(
            event.topic,
            event.model_dump_json(by_alias=True).encode(),
            key=str(user_id).encode(),
            headers=cloudevent_headers(
                event_type=event.event_type,
                source="/test",
                event_id=event_id,
                time=datetime.now(UTC),
                subject=str(user_id),
            ),
        )
    finally:
        await producer.stop()


async def test_events_through_the_broker(worker, kafka_bootstrap, db, scalar) -> None:
    user_id = uuid.uuid4()
    now = datetime.now(UTC)
    profile = UserProfileUpdatedV1(
        user_id=user_id,
        profile=ProfileSnapshot(
            name="Bo",
            birth_date=date(1985, 6, 1),
            gender="male",
            height_cm=182.0,
            weight_kg=90.0,
            activity_level="active",
            goal="lose",
            target_rate_kg_per_week=0.5,
            timezone="Asia/Tokyo",
        ),
        changed_fields=["weight_kg"],
        updated_at=now,
    )
    workout = WorkoutCreatedV1(
        workout=WorkoutSnapshot(
            workout_id=uuid.uuid4(),
            user_id=user_id,
            title="Row",
            started_at=now,
            local_date=date(2026, 6, 1),
            duration_min=30,
            calories_burned=280.0,
        ),
        created_at=now,
    )
    intake = IntakeLoggedV1(
        user_id=user_id,
        entry_id=uuid.uuid4(),
        day=date(2026, 6, 1),
        day_totals=DayTotals(kcal=1750, protein_g=90, fat_g=60, carbs_g=200),
        logged_at=now,
    )
    targets = TargetsCalculatedV1(
        user_id=user_id,
        calculation_id=uuid.uuid4(),
        bmr=1800,
        tdee=2800,
        daily_calories=2300,
        macros=MacroTargets(protein_g=150, fat_g=70, carbs_g=260),
        fiber_g=30,
        reason="profile_change",
        calculated_at=now,
    )
    workout_event_id = uuid.uuid4()
    await publish(kafka_bootstrap, profile, user_id, uuid.uuid4())
    # The workout delivered twice (a producer retry after a lost ack looks like this).
    await publish(kafka_bootstrap, workout, user_id, workout_event_id)
    await publish(kafka_bootstrap, workout, user_id, workout_event_id)
    await publish(kafka_bootstrap, intake, user_id, uuid.uuid4())
    await publish(kafka_bootstrap, targets, user_id, uuid.uuid4())

    async def projected() -> bool:
        counts = await user_row_counts(db, user_id)
        return (
            counts.get("user_profiles") == 1
            and counts.get("workouts") == 1
            and counts.get("intake_days") == 1
            and counts.get("nutrition_targets") == 1
        )

    await wait_until(projected, timeout=60, message="all four read models")
    assert await scalar(db, "SELECT timezone FROM user_profiles WHERE user_id = %s", user_id) == (
        "Asia/Tokyo"
    )
    assert await scalar(db, "SELECT kcal FROM workouts WHERE user_id = %s", user_id) == 280.0
    assert await scalar(db, "SELECT count(*) FROM inbox WHERE event_id = %s", workout_event_id) == 1

    await publish(
        kafka_bootstrap, UserDeletedV1(user_id=user_id, deleted_at=now), user_id, uuid.uuid4()
    )

    async def erased() -> bool:
        return not any((await user_row_counts(db, user_id)).values())

    await wait_until(erased, timeout=60, message="erasure on identity.user.deleted.v1")
