"""Who and where of an admin request (for audit rows), and the validated path user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from fitness_platform.auth import AdminDep, CurrentUser


def client_ip(request: Request) -> str | None:
    """First hop of ``X-Forwarded-For`` (set by the gateway), else the peer address.

    Recorded for the audit trail only, never used for an access decision (a client reaching the
    service directly could forge the header; the gateway overwrites it).
    """
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        first = forwarded.split(",")[0].strip()
        if first:
            return first[:64]
    return request.client.host if request.client else None


@dataclass(frozen=True, slots=True)
class AdminRequest:
    admin: CurrentUser
    ip: str | None


async def admin_request(admin: AdminDep, request: Request) -> AdminRequest:
    return AdminRequest(admin=admin, ip=client_ip(request))


AdminRequestDep = Annotated[AdminRequest, Depends(admin_request)]
