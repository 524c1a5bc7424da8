"""The service's declarative base and metadata (tables are unqualified: search_path = schema)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from fitness_platform.audit import admin_audit_table
from fitness_platform.db import service_metadata
from fitness_platform.outbox import inbox_table, outbox_table
from fitness_platform.sync import tombstones_table


class Base(DeclarativeBase):
    metadata = service_metadata()


outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
# Written by the admin content routes through fitness_platform.audit (AuditDep); never queried here.
admin_audit = admin_audit_table(Base.metadata)
sync_tombstones = tombstones_table(Base.metadata)


def import_models() -> None:
    """Import every models module so ``Base.metadata`` is complete (Alembic, tests)."""
    from nutrition.achievements import models as _achievements  # noqa: F401
    from nutrition.calculations import models as _calculations  # noqa: F401
    from nutrition.diary import models as _diary  # noqa: F401
    from nutrition.foods import models as _foods  # noqa: F401
    from nutrition.meal_templates import models as _templates  # noqa: F401
    from nutrition.plans import models as _plans  # noqa: F401
    from nutrition.profiles import models as _profiles  # noqa: F401
