"""The ``users`` table: account, roles, status and (nullable) profile fields."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from identity.db import Base


class UserStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    DELETED = "deleted"


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Stored as typed; uniqueness and lookups are case-insensitive via lower(email).
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{user}'::text[]"))
    status: Mapped[str] = mapped_column(String(16), server_default=UserStatus.ACTIVE.value)
    email_verified: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Set when the account is deactivated; the hard-delete job purges the row after the grace period.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Profile (filled by the profile endpoints; nullable until the user provides them).
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(16))
    height_cm: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    activity_level: Mapped[str | None] = mapped_column(String(16))
    goal: Mapped[str | None] = mapped_column(String(16))
    target_rate_kg_per_week: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    units: Mapped[str] = mapped_column(String(16), server_default="metric")
    profile_visibility: Mapped[str] = mapped_column(String(16), server_default="private")

    __table_args__ = (
        Index("uq_users_email_lower", func.lower(email), unique=True),
        CheckConstraint("status IN ('active', 'blocked', 'deleted')", name="status"),
        CheckConstraint("units IN ('metric', 'imperial')", name="units"),
        CheckConstraint("gender IN ('female', 'male')", name="gender"),
        CheckConstraint(
            "activity_level IN ('sedentary', 'light', 'moderate', 'active', 'very_active')",
            name="activity_level",
        ),
        CheckConstraint("goal IN ('lose', 'maintain', 'gain')", name="goal"),
        CheckConstraint("profile_visibility IN ('public', 'private')", name="profile_visibility"),
        Index("ix_users_deleted_at", deleted_at, postgresql_where=text("status = 'deleted'")),
    )


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A ``users`` row as the read pool returns it (``repository.read_by_id``): no password hash."""

    id: uuid.UUID
    email: str
    name: str
    roles: list[str]
    status: str
    email_verified: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    birth_date: date | None
    gender: str | None
    height_cm: float | None
    weight_kg: float | None
    activity_level: str | None
    goal: str | None
    target_rate_kg_per_week: float | None
    timezone: str
    units: str
    profile_visibility: str
