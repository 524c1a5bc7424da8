"""Events published by the goals service on topic ``goals.goal`` (keyed by user id)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from fitness_contracts import topics
from fitness_contracts.base import IntegrationEvent

GoalType = Literal[
    "weight_target", "workouts_per_week", "weekly_active_minutes", "calorie_adherence"
]
GoalStatus = Literal["active", "paused", "completed", "abandoned"]


class GoalSnapshot(IntegrationEvent):
    goal_id: UUID
    user_id: UUID
    type: GoalType
    title: str
    status: GoalStatus
    # The number the goal aims at, in the unit of its type (kg, workouts, minutes, days).
    target_value: float
    start_date: date
    end_date: date | None = None
    progress_pct: float | None = None


class GoalCreatedV1(IntegrationEvent):
    event_type: ClassVar[str] = "goals.goal.created.v1"
    topic: ClassVar[str] = topics.GOALS_GOAL

    goal: GoalSnapshot
    created_at: datetime


class GoalUpdatedV1(IntegrationEvent):
    event_type: ClassVar[str] = "goals.goal.updated.v1"
    topic: ClassVar[str] = topics.GOALS_GOAL

    goal: GoalSnapshot
    changed_fields: list[str]
    updated_at: datetime


class GoalAchievedV1(IntegrationEvent):
    """Published once per goal, when evaluation first finds it reached."""

    event_type: ClassVar[str] = "goals.goal.achieved.v1"
    topic: ClassVar[str] = topics.GOALS_GOAL

    goal: GoalSnapshot
    current_value: float
    achieved_at: datetime


class GoalDeletedV1(IntegrationEvent):
    event_type: ClassVar[str] = "goals.goal.deleted.v1"
    topic: ClassVar[str] = topics.GOALS_GOAL

    goal_id: UUID
    user_id: UUID
    deleted_at: datetime
