"""Wire models of the admin routes."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from fitness_platform.schemas import CamelInput, CamelModel

_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    # pydantic's lax mode also reads "0.5" as a Unix time; the API documents ISO 8601 only.
    if isinstance(value, str) and not _ISO_START.match(value):
        raise ValueError("expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]

Role = Literal["user", "admin"]
ROLES: tuple[Role, ...] = ("user", "admin")


class UserSort(StrEnum):
    CREATED_AT = "createdAt"
    EMAIL = "email"
    NAME = "name"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class AdminUser(CamelModel):
    """An account as the back office sees it (never the password hash)."""

    id: uuid.UUID
    email: str
    name: str
    roles: list[str]
    status: Literal["active", "blocked", "deleted"]
    email_verified: bool
    created_at: datetime
    updated_at: datetime


class AdminUserPatch(CamelInput):
    """Fields an admin may change; absent fields stay as they are."""

    status: Literal["active", "blocked"] | None = Field(
        default=None, description="`blocked` refuses logins and revokes every refresh token"
    )
    roles: list[Role] | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="the complete new set of roles (duplicates ignored)",
    )

    @field_validator("roles")
    @classmethod
    def _dedupe(cls, value: list[Role] | None) -> list[Role] | None:
        # Stored in a fixed order so equal sets compare equal.
        return None if value is None else [r for r in ROLES if r in value]


class AuditEntry(CamelModel):
    id: int
    at: datetime
    actor_id: uuid.UUID
    action: str = Field(examples=["user.update"])
    target: str = Field(description="what was acted on, e.g. `user:<id>`")
    ip: str | None
    correlation_id: str | None
    details: dict[str, Any]
