"""Wire models for users."""

from __future__ import annotations

import uuid
from datetime import datetime

from fitness_platform.schemas import CamelModel


class UserPublic(CamelModel):
    """What a user sees about their own account."""

    id: uuid.UUID
    email: str
    name: str
    roles: list[str]
    created_at: datetime
