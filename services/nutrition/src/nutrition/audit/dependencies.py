"""Who/where of an admin request, for the audit row written with its change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.auth import AdminDep
from fitness_platform.logging import correlation_id_var
from nutrition.audit import repository


@dataclass(frozen=True, slots=True)
class AuditContext:
    actor_id: UUID
    ip: str | None
    correlation_id: str | None

    async def record(
        self,
        session: AsyncSession,
        *,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        await repository.record(
            session,
            actor_id=self.actor_id,
            action=action,
            target=target,
            ip=self.ip,
            correlation_id=self.correlation_id,
            details=details,
        )


def client_ip(request: Request) -> str | None:
    # Behind the gateway the client is in X-Forwarded-For (first hop); recorded, never trusted
    # for access decisions.
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()[:64] or None
    return request.client.host if request.client else None


async def get_audit_context(admin: AdminDep, request: Request) -> AuditContext:
    return AuditContext(
        actor_id=admin.id, ip=client_ip(request), correlation_id=correlation_id_var.get()
    )


AuditDep = Annotated[AuditContext, Depends(get_audit_context)]
