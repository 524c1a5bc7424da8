"""Alembic environment: the shared runner with identity's metadata (schema from -x schema=)."""

from typing import Any

from fitness_platform.migrations import run_alembic_env
from identity.tables import metadata

# outbox/inbox are created by the platform's DDL (create_outbox_objects), not from our metadata;
# keep autogenerate from diffing them or Alembic's own version table.
_NOT_OURS = {"outbox", "inbox", "alembic_version"}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) not in _NOT_OURS


run_alembic_env(metadata, include_object=include_object)
