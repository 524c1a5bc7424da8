"""The admin audit log every service shares: one table shape, one ``record()``, one dependency.

Call :func:`record` (or ``AuditContext.record``) inside the transaction of the change it
describes, so the change and its audit row commit or roll back together::

    async def update_food(..., audit: AuditDep, session: SessionDep):
        async with session.begin():
            ...
            await audit.record(session, action="food.update", target=f"food:{food_id}")

Append-only is enforced by the database: :func:`create_admin_audit_objects` (call it from a
migration) adds triggers that reject UPDATE, DELETE and TRUNCATE for every role, the table
owner included; only a reviewed migration can drop them. No foreign keys: the log outlives the
accounts it names (it holds ids, not personal data).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.auth import AdminDep
from fitness_platform.logging import correlation_id_var

ADMIN_AUDIT_TABLE = "admin_audit"


def admin_audit_table(metadata: MetaData) -> Table:
    """The ``admin_audit`` table on a service's metadata (map an ORM class with ``__table__``)."""
    return Table(
        ADMIN_AUDIT_TABLE,
        metadata,
        Column("id", BigInteger, Identity(always=False), primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor_id", Uuid, nullable=False),
        Column("action", String(64), nullable=False),
        Column("target", String(200), nullable=False),
        Column("ip", String(64), nullable=True),
        Column("correlation_id", String(128), nullable=True),
        Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Index("ix_admin_audit_at", "at"),
        Index("ix_admin_audit_actor_id_at", "actor_id", "at"),
        Index("ix_admin_audit_target_at", "target", "at"),
    )


# The library's own copy for inserts: unqualified, resolved through the session's search_path.
ADMIN_AUDIT = admin_audit_table(MetaData())

_APPEND_ONLY_DDL = (
    """
    CREATE OR REPLACE FUNCTION admin_audit_reject_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'admin_audit is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS admin_audit_append_only ON admin_audit",
    "CREATE TRIGGER admin_audit_append_only BEFORE UPDATE OR DELETE ON admin_audit "
    "FOR EACH ROW EXECUTE FUNCTION admin_audit_reject_change()",
    "DROP TRIGGER IF EXISTS admin_audit_no_truncate ON admin_audit",
    "CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_reject_change()",
)


def admin_audit_ddl() -> list[str]:
    """SQL creating the table, its indexes and the append-only triggers (idempotent)."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = postgresql.dialect()
    stmts = [str(CreateTable(ADMIN_AUDIT, if_not_exists=True).compile(dialect=dialect))]
    stmts += [
        str(CreateIndex(ix, if_not_exists=True).compile(dialect=dialect))
        for ix in sorted(ADMIN_AUDIT.indexes, key=lambda ix: str(ix.name))
    ]
    stmts += [s.strip() for s in _APPEND_ONLY_DDL]
    return stmts


def create_admin_audit_objects(op: object) -> None:
    """Call from a migration: ``create_admin_audit_objects(op)`` (search_path = the schema)."""
    for stmt in admin_audit_ddl():
        op.execute(stmt)  # type: ignore[attr-defined]


def add_append_only_triggers(op: object) -> None:
    """Only the triggers, for a service whose ``admin_audit`` table already exists."""
    for stmt in _APPEND_ONLY_DDL:
        op.execute(stmt.strip())  # type: ignore[attr-defined]


def drop_admin_audit_objects(op: object) -> None:
    op.execute(f"DROP TABLE IF EXISTS {ADMIN_AUDIT_TABLE}")  # type: ignore[attr-defined]
    op.execute("DROP FUNCTION IF EXISTS admin_audit_reject_change()")  # type: ignore[attr-defined]


async def record(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    action: str,
    target: str,
    ip: str | None = None,
    correlation_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one audit row in the caller's transaction; returns its id.

    ``correlation_id`` defaults to the request's; over-long values are cut to the column sizes
    (an audit row is never the reason a change fails).
    """
    row_id = await session.scalar(
        insert(ADMIN_AUDIT)
        .values(
            actor_id=actor_id,
            action=action[:64],
            target=target[:200],
            ip=ip[:64] if ip else None,
            correlation_id=(correlation_id or correlation_id_var.get() or None),
            details=details or {},
        )
        .returning(ADMIN_AUDIT.c.id)
    )
    return int(row_id or 0)


def client_ip(request: Request) -> str | None:
    """First hop of ``X-Forwarded-For`` (set by the gateway), else the peer address.

    Recorded for the audit trail only, never used for an access decision (a client reaching a
    service directly could forge the header; the gateway overwrites it).
    """
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        first = forwarded.split(",")[0].strip()
        if first:
            return first[:64]
    return request.client.host if request.client else None


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who and where of an admin request, ready to write the audit row of its change."""

    actor_id: uuid.UUID
    ip: str | None
    correlation_id: str | None

    async def record(
        self,
        session: AsyncSession,
        *,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
    ) -> int:
        return await record(
            session,
            actor_id=self.actor_id,
            action=action,
            target=target,
            ip=self.ip,
            correlation_id=self.correlation_id,
            details=details,
        )


async def get_audit_context(admin: AdminDep, request: Request) -> AuditContext:
    return AuditContext(
        actor_id=admin.id, ip=client_ip(request), correlation_id=correlation_id_var.get()
    )


# Requires role ``admin`` (403 otherwise) and yields the audit context.
AuditDep = Annotated[AuditContext, Depends(get_audit_context)]
