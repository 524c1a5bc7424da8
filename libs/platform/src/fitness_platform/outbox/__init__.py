"""Transactional outbox: tables, ``add_event`` (writer) and the relay (publisher)."""

from fitness_platform.outbox.relay import OutboxRelay, ProducerSettings, run_relay
from fitness_platform.outbox.tables import (
    INBOX,
    OUTBOX,
    create_outbox_objects,
    drop_outbox_objects,
    inbox_table,
    outbox_ddl,
    outbox_table,
)
from fitness_platform.outbox.writer import add_event

__all__ = [
    "INBOX",
    "OUTBOX",
    "OutboxRelay",
    "ProducerSettings",
    "add_event",
    "create_outbox_objects",
    "drop_outbox_objects",
    "inbox_table",
    "outbox_ddl",
    "outbox_table",
    "run_relay",
]
