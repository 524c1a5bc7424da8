"""Every published event class by its CloudEvents type, for consumers and schema snapshots."""

from __future__ import annotations

from fitness_contracts import goals, identity, media, nutrition, progress, training
from fitness_contracts.base import IntegrationEvent

EVENT_CLASSES: tuple[type[IntegrationEvent], ...] = (
    identity.UserRegisteredV1,
    identity.UserProfileUpdatedV1,
    identity.UserDeletedV1,
    identity.UserLoggedInV1,
    nutrition.TargetsCalculatedV1,
    nutrition.IntakeLoggedV1,
    nutrition.AchievementUnlockedV1,
    training.WorkoutCreatedV1,
    training.WorkoutUpdatedV1,
    training.WorkoutDeletedV1,
    progress.WeightRecordedV1,
    progress.WeightDeletedV1,
    progress.ReportGeneratedV1,
    goals.GoalCreatedV1,
    goals.GoalUpdatedV1,
    goals.GoalAchievedV1,
    goals.GoalDeletedV1,
    media.AssetUploadedV1,
    media.AssetDeletedV1,
)

BY_TYPE: dict[str, type[IntegrationEvent]] = {cls.event_type: cls for cls in EVENT_CLASSES}
