"""The registry tells a known event in an unknown version from a kind of event it never heard of."""

from __future__ import annotations

import pytest

from fitness_contracts.registry import BY_TYPE, is_unknown_version


@pytest.mark.parametrize("event_type", ["training.workout.created.v99", "identity.user.deleted.v2"])
def test_a_known_event_in_a_new_version_is_unknown(event_type: str) -> None:
    assert is_unknown_version(event_type)


@pytest.mark.parametrize(
    "event_type",
    [
        *BY_TYPE,  # every version we publish
        "training.workout.shared.v1",  # a new kind of event: consumers that don't read it skip it
        "training.workout.created",  # no version at all: not for this check to decide
        "training.workout.created.vX",
    ],
)
def test_known_versions_and_other_types_are_not(event_type: str) -> None:
    assert not is_unknown_version(event_type)
