"""The one way to write the admin audit log, for every admin use case (this package's and others').

Call :func:`record` inside the transaction of the change it describes, so the change and its
audit row commit or roll back together, e.g. an admin-initiated account deletion::

    from identity.admin import audit
    await audit.record(session, actor_id=admin.id, action="user.delete", target=f"user:{user_id}",
                       ip=audit_ip, details={"reason": "…"})
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.logging import correlation_id_var
from identity.admin import repository
from identity.admin.models import AdminAudit


async def record(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    action: str,
    target: str,
    ip: str | None = None,
    correlation_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AdminAudit:
    """Append one audit row (flushed, not committed). ``correlation_id`` defaults to the request's."""
    return await repository.insert_audit(
        session,
        actor_id=actor_id,
        action=action[:64],
        target=target[:200],
        ip=ip[:64] if ip else None,
        correlation_id=(correlation_id or correlation_id_var.get() or None),
        details=details or {},
    )
