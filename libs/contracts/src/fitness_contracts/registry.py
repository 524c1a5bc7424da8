"""Every published event class by its CloudEvents type, for consumers and schema snapshots."""

from __future__ import annotations

from fitness_contracts import identity, nutrition
from fitness_contracts.base import IntegrationEvent

EVENT_CLASSES: tuple[type[IntegrationEvent], ...] = (
    identity.UserRegisteredV1,
    identity.UserProfileUpdatedV1,
    identity.UserDeletedV1,
    identity.UserLoggedInV1,
    nutrition.TargetsCalculatedV1,
    nutrition.IntakeLoggedV1,
    nutrition.AchievementUnlockedV1,
)

BY_TYPE: dict[str, type[IntegrationEvent]] = {cls.event_type: cls for cls in EVENT_CLASSES}
