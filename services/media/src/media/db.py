"""The service's declarative base and metadata (tables are unqualified: search_path = schema)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from fitness_platform.db import service_metadata
from fitness_platform.outbox import inbox_table, outbox_table
from fitness_platform.sync import tombstones_table


class Base(DeclarativeBase):
    metadata = service_metadata()


outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
sync_tombstones = tombstones_table(Base.metadata)


def import_models() -> None:
    """Import every models module so ``Base.metadata`` is complete (Alembic, tests)."""
    from media.assets import models as _assets  # noqa: F401
