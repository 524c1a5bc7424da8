"""The shared user_profiles read model of identity.user events, on a real schema."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitness_contracts.base import IntegrationEvent
from fitness_contracts.identity import (
    ProfileSnapshot,
    UserDeletedV1,
    UserLoggedInV1,
    UserProfileUpdatedV1,
    UserRegisteredV1,
)
from fitness_platform.cloudevents import CloudEventMeta
from fitness_platform.events import EventEnvelope
from fitness_platform.projections.user_profiles import (
    apply_user_event,
    get_profile,
    user_profiles_ddl,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def envelope(event: IntegrationEvent, user_id: uuid.UUID) -> EventEnvelope:
    meta = CloudEventMeta(
        id=uuid.uuid4(),
        type=event.event_type,
        source="/identity",
        time=T0,
        subject=str(user_id),
        correlation_id=None,
        traceparent=None,
    )
    data: dict[str, Any] = event.model_dump(mode="json", by_alias=True)
    return EventEnvelope(meta=meta, data=data)


def snapshot(user_id: uuid.UUID, at: datetime, **fields: Any) -> UserProfileUpdatedV1:
    profile = ProfileSnapshot(name="Ann", **fields)
    return UserProfileUpdatedV1(
        user_id=user_id, profile=profile, changed_fields=list(fields), updated_at=at
    )


async def test_register_update_stale_and_delete(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with engine.begin() as conn:
        for stmt in user_profiles_ddl():
            await conn.execute(text(stmt))
    uid = uuid.uuid4()

    async def apply(event: IntegrationEvent) -> Any:
        async with sessionmaker() as s, s.begin():
            return await apply_user_event(s, envelope(event, uid))

    change = await apply(UserRegisteredV1(user_id=uid, name="Ann", registered_at=T0))
    assert change.kind == "registered"
    assert change.after.timezone == "UTC"

    change = await apply(
        snapshot(
            uid,
            T0 + timedelta(hours=1),
            weight_kg=70.5,
            timezone="America/New_York",
            birth_date=date(1990, 5, 1),
            gender="female",
        )
    )
    assert change.kind == "updated"
    assert change.changed("weight_kg")
    assert not change.changed("name")
    assert change.after.weight_kg == 70.5
    assert change.after.zone.key == "America/New_York"

    # An older snapshot (a replay) does not overwrite the newer one.
    change = await apply(snapshot(uid, T0 + timedelta(minutes=30), weight_kg=99.0))
    assert change.kind == "stale"
    async with sessionmaker() as s:
        profile = await get_profile(s, uid)
    assert profile is not None
    assert profile.weight_kg == 70.5

    assert await apply(UserLoggedInV1(user_id=uid, at=T0)) is None

    change = await apply(UserDeletedV1(user_id=uid, deleted_at=T0 + timedelta(days=1)))
    assert change.kind == "deleted"
    assert change.before is not None
    async with sessionmaker() as s:
        assert await get_profile(s, uid) is None
