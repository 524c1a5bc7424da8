"""Wire models of achievements."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from fitness_platform.schemas import CamelModel


class AchievementOut(CamelModel):
    id: UUID
    code: str
    week_start: Date
    unlocked_at: datetime
    details: dict[str, Any] | None = None


class AchievementCheckOut(CamelModel):
    week_start: Date = Field(description="Monday of the last completed week (user's timezone)")
    week_end: Date
    unlocked: list[AchievementOut] = Field(description="newly unlocked by this check")
    already_unlocked: list[AchievementOut] = Field(
        description="unlocked for this week by an earlier check"
    )
