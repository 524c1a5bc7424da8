"""Events published by the progress service (topics ``progress.weight``, ``progress.report``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from fitness_contracts import topics
from fitness_contracts.base import IntegrationEvent


class WeightRecordedV1(IntegrationEvent):
    """A weigh-in for one of the user's local days; a second one for the same day replaces it.

    ``trend_weight_kg`` is the smoothed trend at that day as computed when the entry was
    written (DOMAIN.md "Weight over time"); consumers that need the trend of other days keep
    their own series of raw weights.
    """

    event_type: ClassVar[str] = "progress.weight.recorded.v1"
    topic: ClassVar[str] = topics.PROGRESS_WEIGHT

    user_id: UUID
    date: date
    weight_kg: float
    body_fat_pct: float | None = None
    trend_weight_kg: float | None = None
    replaced: bool = False
    recorded_at: datetime


class WeightDeletedV1(IntegrationEvent):
    event_type: ClassVar[str] = "progress.weight.deleted.v1"
    topic: ClassVar[str] = topics.PROGRESS_WEIGHT

    user_id: UUID
    date: date
    deleted_at: datetime


class ReportGeneratedV1(IntegrationEvent):
    """A weekly report was built (on request or by the Monday job); once per user and week."""

    event_type: ClassVar[str] = "progress.report.generated.v1"
    topic: ClassVar[str] = topics.PROGRESS_REPORT

    user_id: UUID
    report_id: UUID
    week_start: date
    generated_at: datetime
