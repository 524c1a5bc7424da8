"""Delta sync (``fitness_platform.sync``) against a real PostgreSQL: triggers, tombstones,
cursors that survive transactions committing out of order, continuation pages, erasure."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Column, MetaData, Table, Text, Uuid, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitness_platform.gdpr import erase_user_rows
from fitness_platform.sync import (
    TOMBSTONES,
    Delta,
    DeltaSource,
    SyncCursor,
    current_cursor,
    prune_tombstones,
    read_delta,
    tombstones_table,
    track_changes_ddl,
)
from fitness_platform.testing import FreshSchema, schema_connection, user_row_counts

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("title", Text, nullable=False),
)
tombstones_table(metadata)
SOURCE = DeltaSource(table="things", entity="thing", columns=sql.SQL("id, title"))


@pytest.fixture
async def tables(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        for statement in track_changes_ddl("things", entity="thing"):
            await conn.execute(text(statement))
    return engine


@pytest.fixture
async def pool(tables: AsyncEngine, schema: FreshSchema) -> AsyncIterator[AsyncConnectionPool]:
    async with AsyncConnectionPool(
        schema.libpq_url,
        min_size=1,
        max_size=4,
        kwargs={"autocommit": True, "options": f"-csearch_path={schema.schema}"},
    ) as p:
        yield p


async def connect(schema: FreshSchema) -> psycopg.AsyncConnection[Any]:
    """Another client's connection (a second device's request), not autocommit."""
    return await psycopg.AsyncConnection.connect(
        schema.libpq_url, options=f"-csearch_path={schema.schema}"
    )


async def insert(conn: psycopg.AsyncConnection[Any], user_id: uuid.UUID, title: str) -> uuid.UUID:
    thing_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO things (id, user_id, title) VALUES (%s, %s, %s)", (thing_id, user_id, title)
    )
    return thing_id


async def delta(
    pool: AsyncConnectionPool, user_id: uuid.UUID, cursor: str, limit: int = 100
) -> Delta:
    return await read_delta(
        pool, SOURCE, user_id=user_id, cursor=SyncCursor.decode(cursor), limit=limit
    )


async def test_delta_returns_updates_and_deletions_since_the_cursor(
    pool: AsyncConnectionPool, schema: FreshSchema
) -> None:
    user, other = uuid.uuid4(), uuid.uuid4()
    async with await connect(schema) as device:
        kept = await insert(device, user, "kept")
        edited = await insert(device, user, "before")
        removed = await insert(device, user, "removed")
        await insert(device, other, "someone else's")
        await device.commit()
    cursor = await current_cursor(pool)
    async with await connect(schema) as device:
        await device.execute("UPDATE things SET title = 'after' WHERE id = %s", (edited,))
        await device.execute("DELETE FROM things WHERE id = %s", (removed,))
        await device.execute("UPDATE things SET title = 'x' WHERE user_id = %s", (other,))
        await device.commit()

    changes = await delta(pool, user, cursor)
    assert [(r[0], r[1]) for r in changes.rows] == [(edited, "after")]
    assert changes.deleted == [str(removed)]
    assert changes.has_more is False
    assert kept not in [r[0] for r in changes.rows]
    # Nothing new since: the next cursor gives an empty delta.
    again = await delta(pool, user, changes.cursor)
    assert (again.rows, again.deleted) == ([], [])


async def test_a_transaction_committing_after_a_later_one_is_not_missed(
    pool: AsyncConnectionPool, schema: FreshSchema
) -> None:
    """The classic ``updated_at > t`` bug: A writes first, B writes and commits, a reader sees
    B and moves on, then A commits with an older value. Here A's change comes next time."""
    user = uuid.uuid4()
    cursor = await current_cursor(pool)
    async with await connect(schema) as slow, await connect(schema) as fast:
        first = await insert(slow, user, "written first, committed last")
        second = await insert(fast, user, "written second, committed first")
        await fast.commit()

        seen = await delta(pool, user, cursor)
        assert [r[0] for r in seen.rows] == [second]

        await slow.commit()
    after = await delta(pool, user, seen.cursor)
    assert first in [r[0] for r in after.rows]


async def test_continuation_pages_then_a_floor_that_rereads_late_commits(
    pool: AsyncConnectionPool, schema: FreshSchema
) -> None:
    user = uuid.uuid4()
    cursor = await current_cursor(pool)
    async with await connect(schema) as late:
        late_id = await insert(late, user, "in flight while paging")
        made = set()
        for i in range(5):
            async with await connect(schema) as device:
                made.add(await insert(device, user, f"t{i}"))
                await device.commit()
        got: set[uuid.UUID] = set()
        page = await delta(pool, user, cursor, limit=2)
        pages = 1
        while page.has_more:
            got |= {r[0] for r in page.rows}
            page = await delta(pool, user, page.cursor, limit=2)
            pages += 1
        got |= {r[0] for r in page.rows}
        assert got == made
        assert pages == 3
        await late.commit()
    following = await delta(pool, user, page.cursor)
    assert late_id in {r[0] for r in following.rows}


async def test_reinserting_a_deleted_key_drops_its_tombstone(
    pool: AsyncConnectionPool, schema: FreshSchema
) -> None:
    user = uuid.uuid4()
    cursor = await current_cursor(pool)
    async with await connect(schema) as device:
        thing = await insert(device, user, "first")
        await device.execute("DELETE FROM things WHERE id = %s", (thing,))
        await device.commit()
    assert (await delta(pool, user, cursor)).deleted == [str(thing)]
    async with await connect(schema) as device:
        await device.execute(
            "INSERT INTO things (id, user_id, title) VALUES (%s, %s, 'back')", (thing, user)
        )
        await device.commit()
    changes = await delta(pool, user, cursor)
    assert changes.deleted == []
    assert [(r[0], r[1]) for r in changes.rows] == [(thing, "back")]


async def test_erasure_leaves_no_tombstone_and_pruning_drops_old_ones(
    pool: AsyncConnectionPool,
    schema: FreshSchema,
    sessionmaker: async_sessionmaker[AsyncSession],
    tables: AsyncEngine,
) -> None:
    erased, kept = uuid.uuid4(), uuid.uuid4()
    async with await connect(schema) as device:
        await insert(device, erased, "a")
        gone = await insert(device, erased, "b")
        await device.execute("DELETE FROM things WHERE id = %s", (gone,))
        old = await insert(device, kept, "old")
        recent = await insert(device, kept, "recent")
        await device.execute("DELETE FROM things WHERE id = ANY(%s)", ([old, recent],))
        await device.execute(
            "UPDATE sync_tombstones SET deleted_at = now() - interval '100 days' "
            "WHERE item_id = %s",
            (str(old),),
        )
        await device.commit()

    async with sessionmaker() as session, session.begin():
        counts = await erase_user_rows(session, metadata, erased)
    assert counts[TOMBSTONES] == 2
    async with schema_connection(schema) as db:
        counts_after = await user_row_counts(db, erased)
    assert {"things", TOMBSTONES} <= set(counts_after)
    assert set(counts_after.values()) == {0}

    async with sessionmaker() as session, session.begin():
        assert await prune_tombstones(session, older_than=timedelta(days=90)) == 1
    async with pool.connection() as conn:
        left = await (await conn.execute("SELECT item_id FROM sync_tombstones")).fetchall()
    assert left == [(str(recent),)]
