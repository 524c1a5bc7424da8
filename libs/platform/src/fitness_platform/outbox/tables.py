"""Outbox and inbox tables, and the DDL a service's first migration runs."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

OUTBOX_TABLE = "outbox"
INBOX_TABLE = "inbox"


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        OUTBOX_TABLE,
        metadata,
        # bigserial: the publish order.
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=True),
        Column("event_type", Text, nullable=False),
        Column("subject", Text, nullable=True),
        Column("payload", JSONB, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        Column(
            "next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()
        ),
        Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
        ),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        INBOX_TABLE,
        metadata,
        Column("consumer", Text, nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )


# Private copies for the library's own queries: unqualified, resolved through search_path.
OUTBOX = outbox_table(MetaData())
INBOX = inbox_table(MetaData())

_TRIGGER_DDL = (
    # The channel is "<schema>_outbox", computed from the table's schema so the migration
    # does not need to know which schema it runs in.
    """
    CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
        RETURN NULL;
    END;
    $$
    """,
    "DROP TRIGGER IF EXISTS outbox_notify ON outbox",
    # Per statement: one wake-up per transaction's insert, not per row.
    """
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()
    """,
)


def outbox_ddl() -> list[str]:
    """SQL that creates outbox + inbox tables, the partial index and the NOTIFY trigger.

    Unqualified names: run it with ``search_path`` set to the service schema (the platform's
    Alembic env does that).
    """
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = postgresql.dialect()
    stmts = [str(CreateTable(OUTBOX, if_not_exists=True).compile(dialect=dialect))]
    stmts += [
        str(CreateIndex(ix, if_not_exists=True).compile(dialect=dialect)) for ix in OUTBOX.indexes
    ]
    stmts.append(str(CreateTable(INBOX, if_not_exists=True).compile(dialect=dialect)))
    stmts += [s.strip() for s in _TRIGGER_DDL]
    return stmts


def create_outbox_objects(op: object) -> None:
    """Call from a service's first Alembic migration: ``create_outbox_objects(op)``."""
    for stmt in outbox_ddl():
        op.execute(stmt)  # type: ignore[attr-defined]


def drop_outbox_objects(op: object) -> None:
    for stmt in (
        "DROP TRIGGER IF EXISTS outbox_notify ON outbox",
        "DROP FUNCTION IF EXISTS outbox_notify()",
        f"DROP TABLE IF EXISTS {INBOX_TABLE}",
        f"DROP TABLE IF EXISTS {OUTBOX_TABLE}",
    ):
        op.execute(stmt)  # type: ignore[attr-defined]
