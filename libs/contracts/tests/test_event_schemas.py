"""Each published event version keeps its JSON Schema: a change must be a new ``.vN`` class.

To add a new event version, run with ``UPDATE_SNAPSHOTS=1`` once and commit the new snapshot file;
changing an existing snapshot means a breaking change slipped into a published version.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from fitness_contracts import topics
from fitness_contracts.registry import BY_TYPE, EVENT_CLASSES

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda c: c.event_type)
def test_schema_matches_snapshot(cls: type) -> None:
    schema = cls.model_json_schema(by_alias=True)
    path = SNAPSHOTS / f"{cls.event_type}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" and not path.exists():
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    assert path.exists(), f"no snapshot for {cls.event_type}: run once with UPDATE_SNAPSHOTS=1"
    assert json.loads(path.read_text()) == schema


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda c: c.event_type)
def test_type_is_versioned_and_topic_known(cls: type) -> None:
    assert re.fullmatch(r"[a-z]+\.[a-z_]+\.[a-z_]+\.v\d+", cls.event_type)
    assert cls.topic in topics.ALL_TOPICS
    assert cls.event_type.startswith(cls.topic + ".")


def test_registry_has_no_duplicate_types() -> None:
    assert len(BY_TYPE) == len(EVENT_CLASSES)


def test_payload_is_camel_case_on_the_wire() -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    from fitness_contracts.identity import UserRegisteredV1

    event = UserRegisteredV1(user_id=uuid4(), name="Ann", registered_at=datetime.now(UTC))
    wire = json.loads(event.model_dump_json(by_alias=True))
    assert set(wire) == {"userId", "name", "registeredAt"}
    assert UserRegisteredV1.model_validate(wire) == event


def test_events_are_immutable() -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    from pydantic import ValidationError

    from fitness_contracts.identity import UserDeletedV1

    event = UserDeletedV1(user_id=uuid4(), deleted_at=datetime.now(UTC))
    with pytest.raises(ValidationError):
        event.user_id = uuid4()  # type: ignore[misc]
