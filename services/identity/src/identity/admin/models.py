"""``admin_audit``: the platform's append-only log of admin actions, mapped for identity's search.

The table, its writes (``fitness_platform.audit.record`` / ``AuditDep``) and its append-only
triggers (migration 0003) are the platform's; identity only reads it here (``/admin/audit``).
"""

from __future__ import annotations

from fitness_platform.audit import admin_audit_table
from identity.db import Base

admin_audit = admin_audit_table(Base.metadata)


class AdminAudit(Base):
    __table__ = admin_audit
