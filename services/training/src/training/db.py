"""The service's declarative base and metadata (tables are unqualified: search_path = schema)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from fitness_platform.audit import admin_audit_table
from fitness_platform.db import service_metadata
from fitness_platform.outbox import inbox_table, outbox_table
from fitness_platform.projections.user_profiles import user_profiles_table
from fitness_platform.sync import tombstones_table


class Base(DeclarativeBase):
    metadata = service_metadata()


outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
admin_audit = admin_audit_table(Base.metadata)
user_profiles = user_profiles_table(Base.metadata)
sync_tombstones = tombstones_table(Base.metadata)


def import_models() -> None:
    """Import every models module so ``Base.metadata`` is complete (Alembic, GDPR, tests)."""
    from training.exercises import models as _exercises  # noqa: F401
    from training.templates import models as _templates  # noqa: F401
    from training.weights import models as _weights  # noqa: F401
    from training.workouts import models as _workouts  # noqa: F401
