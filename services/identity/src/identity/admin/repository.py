"""SQL of the admin package: the user search, admin updates of users, the audit log search
(rows are written by ``fitness_platform.audit.record``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.admin.models import AdminAudit, admin_audit
from identity.users.models import User


@dataclass(frozen=True, slots=True)
class UserFilter:
    email: str | None = None
    name: str | None = None
    status: str | None = None
    role: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor_id: uuid.UUID | None = None
    action: str | None = None
    target: str | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None


_SORT_COLUMNS: dict[str, Any] = {
    "createdAt": User.created_at,
    "email": func.lower(User.email),
    "name": func.lower(User.name),
}


def storable(*values: str | None) -> bool:
    """False if a value cannot be sent to PostgreSQL as text (NUL): such a filter matches nothing."""
    return not any(v is not None and "\x00" in v for v in values)


def _user_conditions(f: UserFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.email:
        conditions.append(User.email.icontains(f.email, autoescape=True))
    if f.name:
        conditions.append(User.name.icontains(f.name, autoescape=True))
    if f.status:
        conditions.append(User.status == f.status)
    if f.role:
        conditions.append(User.roles.contains([f.role]))
    if f.created_from is not None:
        conditions.append(User.created_at >= f.created_from)
    if f.created_to is not None:
        conditions.append(User.created_at <= f.created_to)
    return conditions


async def search_users(
    session: AsyncSession,
    *,
    filters: UserFilter,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[User], int]:
    conditions = _user_conditions(filters)
    total = (
        await session.execute(select(func.count()).select_from(User).where(*conditions))
    ).scalar_one()
    column = _SORT_COLUMNS[sort]
    # id breaks ties so pages are stable when sort values repeat.
    order = (column.desc(), User.id.desc()) if descending else (column.asc(), User.id.asc())
    stmt = select(User).where(*conditions).order_by(*order).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars()), int(total)


async def get_user_for_update(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """Lock the row: concurrent admin edits of one user are applied one after the other."""
    stmt = select(User).where(User.id == user_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def update_user(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    status: str | None = None,
    roles: list[str] | None = None,
) -> None:
    values: dict[str, Any] = {"updated_at": func.now()}
    if status is not None:
        values["status"] = status
    if roles is not None:
        values["roles"] = roles
    await session.execute(update(User).where(User.id == user_id).values(**values))


def _audit_conditions(f: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.actor_id is not None:
        conditions.append(admin_audit.c.actor_id == f.actor_id)
    if f.action:
        conditions.append(admin_audit.c.action == f.action)
    if f.target:
        conditions.append(admin_audit.c.target == f.target)
    if f.at_from is not None:
        conditions.append(admin_audit.c.at >= f.at_from)
    if f.at_to is not None:
        conditions.append(admin_audit.c.at <= f.at_to)
    return conditions


async def search_audit(
    session: AsyncSession, *, filters: AuditFilter, offset: int, limit: int
) -> tuple[list[AdminAudit], int]:
    conditions = _audit_conditions(filters)
    total = (
        await session.execute(select(func.count()).select_from(admin_audit).where(*conditions))
    ).scalar_one()
    stmt = (
        select(AdminAudit)
        .where(*conditions)
        .order_by(admin_audit.c.at.desc(), admin_audit.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), int(total)
