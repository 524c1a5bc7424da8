from __future__ import annotations

import psycopg

from fitness_platform.testing import FreshSchema


async def test_objects_land_in_the_schema(schema: FreshSchema, pg_admin_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(pg_admin_url) as conn:
        rows = await conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema.schema,),
        )
        tables = {r[0] for r in await rows.fetchall()}
        assert tables == {"outbox", "inbox", "erased_users", "alembic_version"}
        owner = await conn.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = 'outbox'",
            (schema.schema,),
        )
        assert (await owner.fetchone()) == (schema.role,)
        trig = await conn.execute(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
            (schema.schema,),
        )
        assert [r[0] for r in await trig.fetchall()] == ["outbox_notify"]
        idx = await conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
            (schema.schema, "ix_outbox_unpublished"),
        )
        assert "WHERE (published_at IS NULL)" in (await idx.fetchone())[0]
        # Nothing leaked into public.
        pub = await conn.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_name IN ('outbox', 'inbox')"
        )
        assert (await pub.fetchone()) == (0,)


async def test_insert_notifies_schema_channel(schema: FreshSchema) -> None:
    async with await psycopg.AsyncConnection.connect(schema.libpq_url, autocommit=True) as lis:
        await lis.execute(f'LISTEN "{schema.schema}_outbox"')
        async with await psycopg.AsyncConnection.connect(schema.libpq_url) as conn:
            await conn.execute(f"SET search_path TO {schema.schema}")
            await conn.execute(
                "INSERT INTO outbox (event_id, topic, key, event_type, payload) "
                "VALUES (gen_random_uuid(), 't', 'k', 'x.v1', '{}')"
            )
            await conn.commit()
        got = [n async for n in lis.notifies(timeout=5, stop_after=1)]
        assert [n.channel for n in got] == [f"{schema.schema}_outbox"]
