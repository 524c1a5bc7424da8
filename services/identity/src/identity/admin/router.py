"""``/admin/users`` and ``/admin/audit`` (role ``admin``; the gateway checks it too)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from fitness_platform.audit import AuditDep
from fitness_platform.auth import AdminDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from fitness_platform.problems import problem_responses
from identity.admin import repository, service
from identity.admin.schemas import (
    AdminUser,
    AdminUserPatch,
    AuditEntry,
    IsoDateTime,
    SortOrder,
    UserSort,
)
from identity.auth.revocation import RevokerDep

router = APIRouter(prefix="/admin", tags=["admin"])

Text = Annotated[str | None, Query(min_length=1, max_length=254)]


def _utc(value: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC (the API's time zone)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.get(
    "/users",
    response_model=Page[AdminUser],
    responses=problem_responses(401, 403, 422, 429),
    summary="Search accounts",
    description=(
        "Filters combine with AND: `email` / `name` are case-insensitive substrings, `status` and "
        "`role` exact, `createdFrom` / `createdTo` inclusive bounds of the signup time. Sorted by "
        "`sort` (`createdAt`, `email`, `name`; email and name case-insensitively) in `order`, "
        "ties broken by id."
    ),
)
async def list_users(
    admin: AdminDep,
    session: SessionDep,
    page: PageDep,
    email: Text = None,
    name: Text = None,
    status: Annotated[Literal["active", "blocked", "deleted"] | None, Query()] = None,
    role: Annotated[Literal["user", "admin"] | None, Query()] = None,
    created_from: Annotated[IsoDateTime | None, Query(alias="createdFrom")] = None,
    created_to: Annotated[IsoDateTime | None, Query(alias="createdTo")] = None,
    sort: UserSort = UserSort.CREATED_AT,
    order: SortOrder = SortOrder.DESC,
) -> Page[AdminUser]:
    users, total = await service.search_users(
        session=session,
        filters=repository.UserFilter(
            email=email,
            name=name,
            status=status,
            role=role,
            created_from=_utc(created_from),
            created_to=_utc(created_to),
        ),
        sort=sort.value,
        descending=order == SortOrder.DESC,
        page=page,
    )
    return Page.of([AdminUser.model_validate(u) for u in users], page, total)


@router.patch(
    "/users/{user_id}",
    response_model=AdminUser,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429),
    summary="Block/unblock an account or change its roles",
    description=(
        "`status: blocked` refuses further logins and revokes every refresh token of the user "
        "(access tokens already issued expire within 15 minutes); `roles` replaces the role set "
        "(tokens carry roles: the change reaches the user's next token, within 15 minutes). "
        "An admin cannot block themselves or remove their own `admin` role (409 "
        "`admin-self-lockout`). Every change writes an audit row in the same transaction; a "
        "request that changes nothing writes none. Deleted accounts are 404."
    ),
)
async def patch_user(
    user_id: uuid.UUID,
    patch: AdminUserPatch,
    audit: AuditDep,
    session: SessionDep,
    revoker: RevokerDep,
) -> AdminUser:
    user = await service.update_user(
        session=session, revoker=revoker, audit=audit, user_id=user_id, patch=patch
    )
    return AdminUser.model_validate(user)


@router.get(
    "/audit",
    response_model=Page[AuditEntry],
    responses=problem_responses(401, 403, 422, 429),
    summary="The admin audit log (append-only), newest first",
    description=(
        "Every admin write: actor, action, target, time, client IP (first X-Forwarded-For hop), "
        "correlation id, details. Filters combine with AND: `actor` (admin user id), `action` and "
        "`target` exact (e.g. `user.update`, `user:<id>`), `from` / `to` inclusive time bounds. "
        "The log cannot be changed: there is no write route and the database rejects "
        "UPDATE/DELETE/TRUNCATE on it."
    ),
)
async def list_audit(
    admin: AdminDep,
    session: SessionDep,
    page: PageDep,
    actor: uuid.UUID | None = None,
    action: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    target: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    at_from: Annotated[IsoDateTime | None, Query(alias="from")] = None,
    at_to: Annotated[IsoDateTime | None, Query(alias="to")] = None,
) -> Page[AuditEntry]:
    rows, total = await service.search_audit(
        session=session,
        filters=repository.AuditFilter(
            actor_id=actor,
            action=action,
            target=target,
            at_from=_utc(at_from),
            at_to=_utc(at_to),
        ),
        page=page,
    )
    return Page.of([AuditEntry.model_validate(r) for r in rows], page, total)
