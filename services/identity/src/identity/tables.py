"""Every table of the service on one MetaData (for Alembic and tests)."""

from __future__ import annotations

from fitness_platform.outbox.tables import inbox_table, outbox_table
from identity.activity import models as activity_models
from identity.admin import models as admin_models
from identity.auth import models as auth_models
from identity.db import Base
from identity.email import models as email_models
from identity.users import models as user_models

metadata = Base.metadata
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

__all__ = [
    "activity_models",
    "admin_models",
    "auth_models",
    "email_models",
    "inbox",
    "metadata",
    "outbox",
    "user_models",
]
