"""decode_event: a known event in a version nobody here knows is poison (InvalidCloudEvent, so
DeadLetters sends it to `<topic>.dlq` at once); other types pass to the handlers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from fitness_platform.events import InvalidCloudEvent, cloudevent_headers, decode_event


def _headers(event_type: str) -> list[tuple[str, bytes]]:
    return cloudevent_headers(
        event_type=event_type, source="/t", event_id=uuid.uuid4(), time=datetime.now(UTC)
    )


def test_unknown_version_of_a_known_event_is_invalid() -> None:
    with pytest.raises(InvalidCloudEvent, match=r"unknown version.*created\.v99"):
        decode_event(_headers("training.workout.created.v99"), b"{}")


@pytest.mark.parametrize("event_type", ["training.workout.created.v1", "test.thing.made.v1"])
def test_known_versions_and_unread_types_decode(event_type: str) -> None:
    assert decode_event(_headers(event_type), b'{"a": 1}').meta.type == event_type
