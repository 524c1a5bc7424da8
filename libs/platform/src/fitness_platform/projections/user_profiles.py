"""The ``user_profiles`` read model of ``identity.user`` events, kept by every service that
needs a user's weight, timezone, sex, age, height, activity or goal (DESIGN §5 read models).

Each service owns its own copy of the table (its schema, its migration) and feeds it from its own
consumer group; only the code is shared. Use::

    # models / db.py
    user_profiles = user_profiles_table(Base.metadata)
    # migration
    create_user_profiles_objects(op)
    # the service's identity.user handler (one group: a user's events stay ordered, so a late
    # profile update can never resurrect a deleted user)
    change = await apply_user_event(session, envelope)
    # reads
    profile = await get_profile(session, user_id)

Ordering: identity.user is keyed by user id, so one group sees a user's events in order; a
snapshot older than the stored one (a replay) is ignored anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    MetaData,
    String,
    Table,
    Uuid,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.identity import UserDeletedV1, UserProfileUpdatedV1, UserRegisteredV1
from fitness_platform.events import EventEnvelope

USER_PROFILES_TABLE = "user_profiles"


def user_profiles_table(metadata: MetaData) -> Table:
    return Table(
        USER_PROFILES_TABLE,
        metadata,
        Column("user_id", Uuid, primary_key=True),
        Column("name", String(100), nullable=True),
        Column("birth_date", Date, nullable=True),
        Column("gender", String(16), nullable=True),
        Column("height_cm", Float, nullable=True),
        Column("weight_kg", Float, nullable=True),
        Column("activity_level", String(16), nullable=True),
        Column("goal", String(16), nullable=True),
        Column("target_rate_kg_per_week", Float, nullable=True),
        Column("timezone", String(64), nullable=False, server_default="UTC"),
        Column("registered_at", DateTime(timezone=True), nullable=True),
        # Time of the snapshot applied last (identity's updated_at): older snapshots are ignored.
        Column("profile_at", DateTime(timezone=True), nullable=True),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


# The library's own copy for queries (unqualified: resolved through the session's search_path).
USER_PROFILES = user_profiles_table(MetaData())


def user_profiles_ddl() -> list[str]:
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    return [
        str(CreateTable(USER_PROFILES, if_not_exists=True).compile(dialect=postgresql.dialect()))
    ]


def create_user_profiles_objects(op: object) -> None:
    """Call from a migration (search_path = the service's schema)."""
    for stmt in user_profiles_ddl():
        op.execute(stmt)  # type: ignore[attr-defined]


def drop_user_profiles_objects(op: object) -> None:
    op.execute(f"DROP TABLE IF EXISTS {USER_PROFILES_TABLE}")  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class UserProfile:
    user_id: UUID
    name: str | None
    birth_date: date | None
    gender: str | None
    height_cm: float | None
    weight_kg: float | None
    activity_level: str | None
    goal: str | None
    target_rate_kg_per_week: float | None
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return zone_or_utc(self.timezone)


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """What one identity.user event did to the read model."""

    user_id: UUID
    kind: str  # "registered" | "updated" | "deleted" | "stale" (an older snapshot, ignored)
    before: UserProfile | None
    after: UserProfile | None

    def changed(self, field: str) -> bool:
        old = getattr(self.before, field, None) if self.before else None
        new = getattr(self.after, field, None) if self.after else None
        return bool(old != new)


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The IANA zone, or UTC for an unknown/empty name (identity validates; be lenient here)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _row_to_profile(row: object) -> UserProfile:
    return UserProfile(
        user_id=row.user_id,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        birth_date=row.birth_date,  # type: ignore[attr-defined]
        gender=row.gender,  # type: ignore[attr-defined]
        height_cm=row.height_cm,  # type: ignore[attr-defined]
        weight_kg=row.weight_kg,  # type: ignore[attr-defined]
        activity_level=row.activity_level,  # type: ignore[attr-defined]
        goal=row.goal,  # type: ignore[attr-defined]
        target_rate_kg_per_week=row.target_rate_kg_per_week,  # type: ignore[attr-defined]
        timezone=row.timezone or "UTC",  # type: ignore[attr-defined]
    )


async def get_profile(
    session: AsyncSession, user_id: UUID, *, for_update: bool = False
) -> UserProfile | None:
    stmt = select(USER_PROFILES).where(USER_PROFILES.c.user_id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = (await session.execute(stmt)).first()
    return _row_to_profile(row) if row is not None else None


async def apply_user_event(session: AsyncSession, envelope: EventEnvelope) -> ProfileChange | None:
    """Project one ``identity.user`` event in the caller's (inbox) transaction.

    Registration creates the row, a profile snapshot replaces it (unless older than the one
    applied), deletion removes it. Returns None for event types that carry no profile (logins).
    """
    event = envelope.parse()
    if isinstance(event, UserRegisteredV1):
        before = await get_profile(session, event.user_id, for_update=True)
        await session.execute(
            insert(USER_PROFILES)
            .values(user_id=event.user_id, name=event.name, registered_at=event.registered_at)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        return ProfileChange(
            event.user_id, "registered", before, await get_profile(session, event.user_id)
        )
    if isinstance(event, UserProfileUpdatedV1):
        return await _apply_snapshot(session, event)
    if isinstance(event, UserDeletedV1):
        before = await get_profile(session, event.user_id)
        await session.execute(delete(USER_PROFILES).where(USER_PROFILES.c.user_id == event.user_id))
        return ProfileChange(event.user_id, "deleted", before, None)
    return None


async def _apply_snapshot(session: AsyncSession, event: UserProfileUpdatedV1) -> ProfileChange:
    before = await get_profile(session, event.user_id, for_update=True)
    applied_at = await session.scalar(
        select(USER_PROFILES.c.profile_at).where(USER_PROFILES.c.user_id == event.user_id)
    )
    if applied_at is not None and _aware(applied_at) > _aware(event.updated_at):
        return ProfileChange(event.user_id, "stale", before, before)
    p = event.profile
    values = {
        "name": p.name,
        "birth_date": p.birth_date,
        "gender": p.gender,
        "height_cm": p.height_cm,
        "weight_kg": p.weight_kg,
        "activity_level": p.activity_level,
        "goal": p.goal,
        "target_rate_kg_per_week": p.target_rate_kg_per_week,
        "timezone": p.timezone or "UTC",
        "profile_at": event.updated_at,
        "updated_at": func.now(),
    }
    await session.execute(
        insert(USER_PROFILES)
        .values(user_id=event.user_id, **values)
        .on_conflict_do_update(index_elements=["user_id"], set_=values)
    )
    return ProfileChange(
        event.user_id, "updated", before, await get_profile(session, event.user_id)
    )


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
