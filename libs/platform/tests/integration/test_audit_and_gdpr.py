"""The shared admin audit log and GDPR erasure against a real PostgreSQL schema."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, Uuid, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitness_platform.audit import AuditContext, admin_audit_ddl, admin_audit_table, record
from fitness_platform.db import to_libpq_url
from fitness_platform.gdpr import erase_user_rows
from fitness_platform.logging import correlation_id_var
from fitness_platform.testing import FreshSchema, user_row_counts

metadata = MetaData()
parents = Table(
    "parents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Uuid, nullable=False),
)
children = Table(
    "children",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("parents.id"), nullable=False),
    Column("user_id", Uuid, nullable=False),
)
audit = admin_audit_table(metadata)


@pytest.fixture
async def tables(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: metadata.create_all(c, tables=[parents, children]))
        for stmt in admin_audit_ddl():
            await conn.execute(text(stmt))
    return engine


async def test_record_appends_and_the_table_refuses_changes(
    tables: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    actor = uuid.uuid4()
    token = correlation_id_var.set("req-42")
    try:
        async with sessionmaker() as s, s.begin():
            ctx = AuditContext(actor_id=actor, ip="203.0.113.9", correlation_id=None)
            row_id = await ctx.record(s, action="food.update", target="food:1" + "x" * 300)
    finally:
        correlation_id_var.reset(token)
    assert row_id > 0
    async with tables.connect() as conn:
        row = (
            await conn.execute(text("SELECT * FROM admin_audit WHERE id = :i"), {"i": row_id})
        ).one()
    assert row.actor_id == actor
    assert row.ip == "203.0.113.9"
    assert row.correlation_id == "req-42"  # the request's, when none is given
    assert len(row.target) == 200  # cut to the column, not an error
    assert row.details == {}

    for stmt in (
        "UPDATE admin_audit SET action = 'x'",
        "DELETE FROM admin_audit",
        "TRUNCATE admin_audit",
    ):
        async with sessionmaker() as s:
            with pytest.raises(Exception, match="append-only"):
                async with s.begin():
                    await s.execute(text(stmt))
    async with tables.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM admin_audit"))).scalar_one() == 1


async def test_ddl_is_idempotent(tables: AsyncEngine) -> None:
    async with tables.begin() as conn:
        for stmt in admin_audit_ddl():
            await conn.execute(text(stmt))


async def test_erase_user_rows_and_the_sweep(
    tables: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], schema: FreshSchema
) -> None:
    gone, kept = uuid.uuid4(), uuid.uuid4()
    async with sessionmaker() as s, s.begin():
        for i, user in enumerate((gone, kept, gone), start=1):
            await s.execute(insert(parents).values(id=i, user_id=user))
            await s.execute(insert(children).values(id=i, parent_id=i, user_id=user))
        await record(s, actor_id=gone, action="x", target="y")

    async with await psycopg.AsyncConnection.connect(
        to_libpq_url(schema.url), autocommit=True, options=f"-csearch_path={schema.schema}"
    ) as conn:
        mine = ("children", "parents")  # the test migration has tables of its own too

        async def counts_of(user: uuid.UUID) -> dict[str, int]:
            found = await user_row_counts(conn, user)
            return {t: n for t, n in found.items() if t in mine}

        assert await counts_of(gone) == {"children": 2, "parents": 2}
        async with sessionmaker() as s, s.begin():
            counts = await erase_user_rows(s, metadata, gone)
        # children first (foreign key), every table with a user_id column
        assert counts == {"children": 2, "parents": 2}
        assert await counts_of(gone) == {"children": 0, "parents": 0}
        assert await counts_of(kept) == {"children": 1, "parents": 1}
        # the audit log names actors by id and is append-only: not swept (no user_id column)
        cur = await conn.execute("SELECT count(*) FROM admin_audit WHERE actor_id = %s", (gone,))
        assert (await cur.fetchone()) == (1,)
