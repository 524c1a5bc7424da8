"""Events published by the nutrition service."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from fitness_contracts import topics
from fitness_contracts.base import IntegrationEvent


class MacroTargets(IntegrationEvent):
    protein_g: float
    fat_g: float
    carbs_g: float


class TargetsCalculatedV1(IntegrationEvent):
    event_type: ClassVar[str] = "nutrition.targets.calculated.v1"
    topic: ClassVar[str] = topics.NUTRITION_TARGETS

    user_id: UUID
    calculation_id: UUID
    bmr: float
    tdee: float
    daily_calories: float
    macros: MacroTargets
    fiber_g: float
    reason: str  # "manual" | "profile_change"
    calculated_at: datetime


class DayTotals(IntegrationEvent):
    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    fiber_g: float | None = None
    sodium_mg: float | None = None


class IntakeLoggedV1(IntegrationEvent):
    event_type: ClassVar[str] = "nutrition.intake.logged.v1"
    topic: ClassVar[str] = topics.NUTRITION_INTAKE

    user_id: UUID
    entry_id: UUID
    day: date
    day_totals: DayTotals
    logged_at: datetime


class AchievementUnlockedV1(IntegrationEvent):
    event_type: ClassVar[str] = "nutrition.achievement.unlocked.v1"
    topic: ClassVar[str] = topics.NUTRITION_ACHIEVEMENT

    user_id: UUID
    achievement_id: UUID
    code: str
    week_start: date
    unlocked_at: datetime
