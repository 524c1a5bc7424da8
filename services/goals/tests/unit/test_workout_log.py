"""The workout read model's rules: keyed by workout id, tombstones, newest snapshot wins."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from goals.domain.facts import Workout
from goals.domain.workout_log import LoggedWorkout, apply_delete, apply_snapshot, live

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
WID = uuid.uuid4()


def test_a_redelivered_created_event_counts_once() -> None:
    log: dict[uuid.UUID, LoggedWorkout] = {}
    w = Workout(date(2026, 3, 2), 45)
    assert apply_snapshot(log, WID, w, T0) is True
    assert apply_snapshot(log, WID, w, T0) is False
    assert live(log) == {WID: w}


def test_an_update_replaces_and_an_older_snapshot_is_ignored() -> None:
    log: dict[uuid.UUID, LoggedWorkout] = {}
    apply_snapshot(log, WID, Workout(date(2026, 3, 2), 45), T0)
    assert apply_snapshot(log, WID, Workout(date(2026, 3, 3), 60), T0 + timedelta(minutes=5))
    assert not apply_snapshot(log, WID, Workout(date(2026, 3, 2), 45), T0)
    assert live(log) == {WID: Workout(date(2026, 3, 3), 60)}


def test_a_deleted_workout_is_gone_and_stays_gone() -> None:
    log: dict[uuid.UUID, LoggedWorkout] = {}
    w = Workout(date(2026, 3, 2), 45)
    apply_snapshot(log, WID, w, T0)
    assert apply_delete(log, WID, w, T0 + timedelta(hours=1)) is True
    assert live(log) == {}
    # A late (reestimated) update of the deleted workout does not bring it back.
    assert apply_snapshot(log, WID, w, T0 + timedelta(hours=2)) is False
    assert apply_delete(log, WID, w, T0 + timedelta(hours=3)) is False
    assert live(log) == {}


def test_a_delete_before_the_create_leaves_a_tombstone() -> None:
    log: dict[uuid.UUID, LoggedWorkout] = {}
    w = Workout(date(2026, 3, 2), 45)
    assert apply_delete(log, WID, w, T0) is False
    assert apply_snapshot(log, WID, w, T0 - timedelta(minutes=1)) is False
    assert live(log) == {}
