"""Wire models for users and profiles."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from fitness_platform.schemas import CamelInput, CamelModel
from identity.users import domain

Gender = Literal["female", "male"]
ActivityLevel = Literal["sedentary", "light", "moderate", "active", "very_active"]
Goal = Literal["lose", "maintain", "gain"]
Units = Literal["metric", "imperial"]
Visibility = Literal["public", "private"]

# No control characters (PostgreSQL text cannot even hold NUL).
Name = Annotated[
    str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$", examples=["Ada"])
]

_GENDER_DOC = (
    "Sex for the energy formulas: Mifflin–St Jeor and the body-fat estimates have one equation "
    "for women and one for men, so exactly these two values are accepted."
)


class UserPublic(CamelModel):
    """What a user sees about their own account right after registering."""

    id: uuid.UUID
    email: str
    name: str
    roles: list[str]
    created_at: datetime


class PublicProfile(CamelModel):
    """What another user sees of a profile whose owner made it public."""

    id: uuid.UUID
    name: str
    created_at: datetime


class UserProfile(CamelModel):
    """The owner's full view of their account and profile."""

    id: uuid.UUID
    email: str
    email_verified: bool
    name: str
    roles: list[str]
    created_at: datetime
    updated_at: datetime
    birth_date: date | None
    age: int | None = Field(description="Whole years, derived from birthDate (UTC today)")
    gender: Gender | None = Field(description=_GENDER_DOC)
    height_cm: float | None
    weight_kg: float | None
    activity_level: ActivityLevel | None
    goal: Goal | None
    target_rate_kg_per_week: float | None
    timezone: str
    units: Units = Field(description="Display units only; the API always speaks metric")
    profile_visibility: Visibility


class ProfileUpdate(CamelInput):
    """Fields to change; a field left out keeps its value, ``null`` clears an optional one.

    ``roles``, ``email`` and anything else not listed is refused (422), so nobody can
    mass-assign them. ``targetRateKgPerWeek`` must be 0 when the goal is ``maintain``.
    """

    # `X | SkipJsonSchema[None]`: may be left out, but an explicit null is refused (see below).
    name: Name | SkipJsonSchema[None] = None
    birth_date: date | None = Field(
        default=None, description=f"Age {domain.MIN_AGE}–{domain.MAX_AGE} years"
    )
    gender: Gender | None = Field(default=None, description=_GENDER_DOC)
    height_cm: float | None = Field(
        default=None, ge=domain.MIN_HEIGHT_CM, le=domain.MAX_HEIGHT_CM, examples=[172.5]
    )
    weight_kg: float | None = Field(
        default=None, ge=domain.MIN_WEIGHT_KG, le=domain.MAX_WEIGHT_KG, examples=[70.0]
    )
    activity_level: ActivityLevel | None = None
    goal: Goal | None = None
    target_rate_kg_per_week: float | None = Field(
        default=None, ge=0, le=domain.MAX_TARGET_RATE_KG_PER_WEEK, examples=[0.5]
    )
    timezone: Annotated[str, Field(min_length=1, max_length=64)] | SkipJsonSchema[None] = Field(
        default=None, description="IANA time zone name", examples=["Europe/Berlin"]
    )
    units: Units | SkipJsonSchema[None] = Field(default=None, description="Display units only")
    profile_visibility: Visibility | SkipJsonSchema[None] = Field(
        default=None,
        description="public: other users see id, name and createdAt; private: they get 404",
    )

    @field_validator("name", "timezone", "units", "profile_visibility")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for values actually sent: leaving the field out is fine, null is not.
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    @field_validator("birth_date")
    @classmethod
    def _age_bounds(cls, value: date | None) -> date | None:
        if value is not None:
            problem = domain.age_problem(value, datetime.now(UTC).date())
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and not domain.is_valid_timezone(value):
            raise ValueError("unknown IANA time zone")
        return value


def profile_of(user: Any, *, today: date | None = None) -> UserProfile:
    """The owner's view of a ``users`` row, with ``age`` derived from the birth date."""
    today = today or datetime.now(UTC).date()
    age = domain.age_on(user.birth_date, today) if user.birth_date else None
    data = {name: getattr(user, name) for name in UserProfile.model_fields if name != "age"}
    return UserProfile.model_validate({**data, "age": age})
