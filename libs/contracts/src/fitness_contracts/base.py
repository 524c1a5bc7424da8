"""Base class for integration events: immutable, past tense, versioned in the type."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class IntegrationEvent(BaseModel):
    """Payload of one CloudEvent. ``event_type`` and ``topic`` travel in headers/routing, not here.

    A breaking change to a payload is a new class with a new ``.vN`` type; the JSON Schema of
    each published version is snapshotted by the contracts tests so it cannot drift silently.
    """

    model_config = ConfigDict(
        frozen=True, alias_generator=to_camel, populate_by_name=True, extra="ignore"
    )

    event_type: ClassVar[str]
    topic: ClassVar[str]
