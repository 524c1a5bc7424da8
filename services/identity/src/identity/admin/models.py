"""``admin_audit``: append-only log of admin actions (who did what to whom, from where, when).

Append-only is enforced by the database (migration 0003): triggers reject UPDATE, DELETE and
TRUNCATE for every role, the table owner included, so neither a bug nor a compromised service
credential can rewrite history through SQL; only a superuser dropping the trigger could.
No foreign keys: the log outlives the accounts it names (it holds ids, not personal data).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from identity.db import Base


class AdminAudit(Base):
    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_id: Mapped[uuid.UUID] = mapped_column()
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(64))
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

    __table_args__ = (
        Index("ix_admin_audit_at", "at"),
        Index("ix_admin_audit_actor_id_at", "actor_id", "at"),
        Index("ix_admin_audit_target_at", "target", "at"),
    )
