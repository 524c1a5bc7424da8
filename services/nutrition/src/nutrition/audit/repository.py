"""Writes to the admin audit log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from nutrition.audit.models import AdminAudit


async def record(
    session: AsyncSession,
    *,
    actor_id: UUID,
    action: str,
    target: str,
    ip: str | None,
    correlation_id: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AdminAudit(
            actor_id=actor_id,
            action=action,
            target=target,
            ip=ip,
            correlation_id=correlation_id,
            details=details,
        )
    )
    await session.flush()
