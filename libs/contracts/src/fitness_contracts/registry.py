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

# "<topic>.<name>" of every known type (the type without its ".vN" suffix).
_FAMILIES = frozenset(t.rpartition(".v")[0] for t in BY_TYPE)


def is_unknown_version(event_type: str) -> bool:
    """A known event in a version this code does not know (``training.workout.created.v99``).

    Consumers treat it as poison (dead-lettered, kept for a replay once they are upgraded)
    rather than skipping it like a type they do not read: dropping it would lose the change.
    """
    family, sep, version = event_type.rpartition(".v")
    return bool(sep) and version.isdigit() and family in _FAMILIES and event_type not in BY_TYPE
