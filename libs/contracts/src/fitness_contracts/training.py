"""Events published by the training service on topic ``training.workout`` (keyed by user id)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from fitness_contracts import topics
from fitness_contracts.base import IntegrationEvent

CaloriesSource = Literal["user", "estimated"]


class WorkoutSnapshot(IntegrationEvent):
    """What other services project of a workout (progress summaries, goal progress).

    ``local_date`` is the day the workout started in the user's timezone at the time of
    writing, so consumers need not know the timezone to bucket it; ``started_at`` is UTC.
    """

    workout_id: UUID
    user_id: UUID
    title: str
    started_at: datetime
    local_date: date
    duration_min: int
    calories_burned: float | None = None
    calories_source: CaloriesSource | None = None
    exercise_categories: list[str] = Field(default_factory=list)


class WorkoutCreatedV1(IntegrationEvent):
    event_type: ClassVar[str] = "training.workout.created.v1"
    topic: ClassVar[str] = topics.TRAINING_WORKOUT

    workout: WorkoutSnapshot
    created_at: datetime


class WorkoutUpdatedV1(IntegrationEvent):
    """A replace (PUT) or a re-estimate after a weight change: the snapshot is the new state."""

    event_type: ClassVar[str] = "training.workout.updated.v1"
    topic: ClassVar[str] = topics.TRAINING_WORKOUT

    workout: WorkoutSnapshot
    reason: Literal["edited", "reestimated"] = "edited"
    updated_at: datetime


class WorkoutDeletedV1(IntegrationEvent):
    event_type: ClassVar[str] = "training.workout.deleted.v1"
    topic: ClassVar[str] = topics.TRAINING_WORKOUT

    workout_id: UUID
    user_id: UUID
    local_date: date
    deleted_at: datetime
