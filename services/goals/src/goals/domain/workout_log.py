"""The rules of the workout read model (the repository applies the same ones in SQL).

Events are keyed by workout id: a redelivered or replayed event replaces the same entry instead
of adding one, an update replaces it, a delete removes it for good (a tombstone, so a late
update of a deleted workout cannot bring it back), and an older snapshot never overwrites a
newer one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from goals.domain.facts import Workout


@dataclass(frozen=True, slots=True)
class LoggedWorkout:
    workout: Workout
    at: datetime  # time of the event that wrote this state
    deleted: bool = False


def apply_snapshot(
    log: dict[UUID, LoggedWorkout], workout_id: UUID, workout: Workout, at: datetime
) -> bool:
    """Created/updated: True when the log changed."""
    known = log.get(workout_id)
    if known is not None and (known.deleted or known.at > at):
        return False
    if known is not None and known.workout == workout:
        log[workout_id] = replace(known, at=at)
        return False
    log[workout_id] = LoggedWorkout(workout, at)
    return True


def apply_delete(
    log: dict[UUID, LoggedWorkout], workout_id: UUID, workout: Workout, at: datetime
) -> bool:
    known = log.get(workout_id)
    if known is not None and known.deleted:
        return False
    log[workout_id] = LoggedWorkout(known.workout if known else workout, at, deleted=True)
    return known is not None


def live(log: dict[UUID, LoggedWorkout]) -> dict[UUID, Workout]:
    return {wid: entry.workout for wid, entry in log.items() if not entry.deleted}
