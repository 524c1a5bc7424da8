"""Events published by the identity service on topic ``identity.user``."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from fitness_contracts import topics
from fitness_contracts.base import IntegrationEvent

Gender = Literal["female", "male"]
ActivityLevel = Literal["sedentary", "light", "moderate", "active", "very_active"]
Goal = Literal["lose", "maintain", "gain"]


class UserRegisteredV1(IntegrationEvent):
    event_type: ClassVar[str] = "identity.user.registered.v1"
    topic: ClassVar[str] = topics.IDENTITY_USER

    user_id: UUID
    name: str
    registered_at: datetime


class ProfileSnapshot(IntegrationEvent):
    """The profile fields other services project (no email, no credentials)."""

    name: str
    birth_date: date | None = None
    gender: Gender | None = None
    height_cm: float | None = None
    weight_kg: float | None = None
    activity_level: ActivityLevel | None = None
    goal: Goal | None = None
    target_rate_kg_per_week: float | None = None
    timezone: str = "UTC"
    units: Literal["metric", "imperial"] = "metric"


class UserProfileUpdatedV1(IntegrationEvent):
    event_type: ClassVar[str] = "identity.user.profile_updated.v1"
    topic: ClassVar[str] = topics.IDENTITY_USER

    user_id: UUID
    profile: ProfileSnapshot
    changed_fields: list[str]
    updated_at: datetime


class UserDeletedV1(IntegrationEvent):
    """The account was deactivated: every service erases this user's data on receipt."""

    event_type: ClassVar[str] = "identity.user.deleted.v1"
    topic: ClassVar[str] = topics.IDENTITY_USER

    user_id: UUID
    deleted_at: datetime


class UserLoggedInV1(IntegrationEvent):
    """A login or refresh: counted as activity for DAU/MAU."""

    event_type: ClassVar[str] = "identity.user.logged_in.v1"
    topic: ClassVar[str] = topics.IDENTITY_USER

    user_id: UUID
    at: datetime
