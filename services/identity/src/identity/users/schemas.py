"""Wire models for users and profiles."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, WithJsonSchema, field_validator

from fitness_platform.schemas import CamelInput, CamelModel
from identity.users import domain

Gender = Literal["female", "male"]
ActivityLevel = Literal["sedentary", "light", "moderate", "active", "very_active"]
Goal = Literal["lose", "maintain", "gain"]
Units = Literal["metric", "imperial"]
Visibility = Literal["public", "private"]

# No control characters (PostgreSQL text cannot even hold NUL).
_NAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=_NAME_PATTERN, examples=["Ada"])]

_GENDER_DOC = (
    "Sex for the energy formulas: Mifflin–St Jeor and the body-fat estimates have one equation "
    "for women and one for men, so exactly these two values are accepted."
)


def _schema(kind: Any, description: str, **constraints: Any) -> WithJsonSchema:
    """The JSON Schema of ``kind`` without null, for fields that may be omitted but not cleared."""
    if kind is str:
        schema: dict[str, Any] = {"type": "string"}
    else:
        schema = {"type": "string", "enum": list(get_args(kind))}
    return WithJsonSchema({**schema, **constraints, "description": description})


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

    # Some fields may be left out but not cleared: Python-side they are Optional (so their errors
    # keep a plain path like `body.units`), the schema shows them non-nullable, and `_not_null`
    # refuses an explicit null.
    name: Annotated[
        Name | None,
        _schema(str, "Display name", maxLength=100, minLength=1, pattern=_NAME_PATTERN),
    ] = None
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
    timezone: Annotated[
        str | None,
        Field(min_length=1, max_length=64),
        _schema(str, "IANA time zone name, e.g. Europe/Berlin", maxLength=64, minLength=1),
    ] = None
    units: Annotated[Units | None, _schema(Units, "Display units only")] = None
    profile_visibility: Annotated[
        Visibility | None,
        _schema(
            Visibility,
            "public: other users see id, name and createdAt; private: they get 404",
        ),
    ] = None

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
