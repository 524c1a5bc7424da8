"""Use cases of /users: read a profile (owner or public view) and update it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.exceptions import RequestValidationError
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.identity import ProfileSnapshot, UserProfileUpdatedV1
from fitness_platform.outbox import add_event
from fitness_platform.problems import NotFound
from identity.users import domain
from identity.users import repository as user_repo
from identity.users.models import User, UserRecord, UserStatus

# Columns a profile update may touch (the ProfileUpdate schema forbids everything else).
PROFILE_FIELDS = (
    "name",
    "birth_date",
    "gender",
    "height_cm",
    "weight_kg",
    "activity_level",
    "goal",
    "target_rate_kg_per_week",
    "timezone",
    "units",
    "profile_visibility",
)
# What other services see in events: the visibility switch is identity's own business.
_SNAPSHOT_FIELDS = tuple(f for f in PROFILE_FIELDS if f != "profile_visibility")


def _no_such_user() -> NotFound:
    return NotFound("No such user.")


async def read_own(*, pool: AsyncConnectionPool, user_id: uuid.UUID) -> UserRecord:
    user = await user_repo.read_by_id(pool, user_id)
    if user is None or user.status == UserStatus.DELETED:
        raise _no_such_user()
    return user


async def read_visible(
    *, pool: AsyncConnectionPool, viewer_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[UserRecord, bool]:
    """The user and whether the viewer is its owner; 404 for a private or missing profile."""
    if viewer_id == user_id:
        return await read_own(pool=pool, user_id=user_id), True
    user = await user_repo.read_by_id(pool, user_id)
    if user is None or user.status != UserStatus.ACTIVE or user.profile_visibility != "public":
        raise _no_such_user()
    return user, False


def _invalid(field: str, message: str) -> RequestValidationError:
    # Same 422 shape as a schema failure, with the field's wire path.
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


def snapshot(user: User) -> ProfileSnapshot:
    return ProfileSnapshot.model_validate({f: getattr(user, f) for f in _SNAPSHOT_FIELDS})


async def update_profile(
    *,
    session: AsyncSession,
    actor_id: uuid.UUID,
    user_id: uuid.UUID,
    changes: dict[str, Any],
) -> User:
    """Apply the sent fields; emit ``profile_updated`` listing only fields that really changed."""
    if actor_id != user_id:
        raise _no_such_user()
    user = await user_repo.get_for_update(session, user_id)
    if user is None or user.status == UserStatus.DELETED:
        raise _no_such_user()
    changes = {k: v for k, v in changes.items() if k in PROFILE_FIELDS}
    goal = changes.get("goal", user.goal)
    if goal == "maintain":
        sent_rate = changes.get("target_rate_kg_per_week")
        if sent_rate not in (None, 0):
            raise _invalid("targetRateKgPerWeek", "must be 0 when the goal is maintain")
        changes["target_rate_kg_per_week"] = 0.0
    current = {f: getattr(user, f) for f in PROFILE_FIELDS}
    changed = domain.changed_fields(current, changes)
    if not changed:
        return user
    await user_repo.update_fields(session, user_id, {f: changes[f] for f in changed})
    await session.flush()
    await session.refresh(user)
    event_fields = [f for f in changed if f in _SNAPSHOT_FIELDS]
    if event_fields:
        await add_event(
            session,
            UserProfileUpdatedV1(
                user_id=user.id,
                profile=snapshot(user),
                changed_fields=event_fields,
                updated_at=user.updated_at or datetime.now(UTC),
            ),
            key=str(user.id),
            subject=str(user.id),
        )
    await session.commit()
    return user
