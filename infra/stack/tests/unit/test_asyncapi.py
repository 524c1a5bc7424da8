"""The AsyncAPI documents in docs/asyncapi are current and describe every published event."""

from __future__ import annotations

import json

import pytest

from fitness_contracts.registry import EVENT_CLASSES
from fitness_contracts.topics import ALL_TOPICS
from fitness_stack.asyncapi import DOCS, SERVICES, document, main
from fitness_stack.migrations import repo_root


def test_committed_documents_are_current() -> None:
    # `make asyncapi` regenerates them; a consumer or contract change without it fails here.
    assert main(["--check"]) == 0


@pytest.mark.parametrize("service", SERVICES)
def test_document_lists_what_the_service_publishes_and_consumes(service: str) -> None:
    doc = document(service)
    assert doc["asyncapi"].startswith("3.")
    channels = doc["channels"]
    published = {c.event_type for c in EVENT_CLASSES if c.event_type.startswith(service + ".")}
    assert published, f"{service} publishes nothing?"
    for event_type in published:
        cls = next(c for c in EVENT_CLASSES if c.event_type == event_type)
        assert channels[event_type]["address"] == cls.topic
        payload = doc["components"]["schemas"][cls.__name__]
        # the wire format: camelCase, as the outbox serialises (by_alias)
        assert set(payload["properties"]) == set(cls.model_json_schema(by_alias=True)["properties"])
    consumed = [c for name, c in channels.items() if name not in published]
    for channel in consumed:
        assert channel["address"] in ALL_TOPICS
    if service != "identity":  # everyone else erases on identity.user.deleted.v1
        assert any(c["address"] == "identity.user" for c in consumed), service


def test_documents_are_committed_for_every_service() -> None:
    for service in SERVICES:
        path = repo_root() / DOCS / f"{service}.json"
        assert json.loads(path.read_text())["info"]["title"] == f"Fitness {service} events"
