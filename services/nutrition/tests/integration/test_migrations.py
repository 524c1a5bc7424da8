"""Nutrition's migrations build what the metadata describes, and 0003 brings ``admin_audit`` to
the platform's shape (``fitness_platform.audit``) without losing or renumbering rows."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fitness_platform.db import to_libpq_url
from fitness_platform.testing import alembic_run, schema_drift
from nutrition.db import Base, import_models

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
INSERT = "INSERT INTO admin_audit (actor_id, action, target) VALUES (%s, 'food.delete', 'x')"


def _drift(db: Any) -> list[Any]:
    import_models()
    return schema_drift(db, Base.metadata)


async def _migrate(db: Any, verb: str, revision: str) -> None:
    await asyncio.to_thread(alembic_run, db, MIGRATIONS, verb, revision)


async def _connect(db: Any) -> psycopg.AsyncConnection[Any]:
    return await psycopg.AsyncConnection.connect(
        to_libpq_url(db.url), autocommit=True, options=f"-csearch_path={db.schema}"
    )


async def _ids(conn: psycopg.AsyncConnection[Any]) -> list[int]:
    rows = await (await conn.execute("SELECT id FROM admin_audit ORDER BY id")).fetchall()
    return [r[0] for r in rows]


async def test_models_match_migrations(nutrition_schema: Any) -> None:
    assert await asyncio.to_thread(_drift, nutrition_schema) == []


async def test_0003_backfills_details_keeps_ids_and_downgrades(fresh_schema: Any) -> None:
    db = await fresh_schema(prefix="nutrition")
    await _migrate(db, "upgrade", "0002")
    async with await _connect(db) as conn:
        for _ in range(2):
            await conn.execute(INSERT, (uuid.uuid4(),))  # details NULL before 0003

    await _migrate(db, "upgrade", "head")
    async with await _connect(db) as conn:
        await conn.execute(INSERT, (uuid.uuid4(),))  # the identity continues after the old ids
        cur = await conn.execute("SELECT id, details FROM admin_audit ORDER BY id")
        assert await cur.fetchall() == [(1, {}), (2, {}), (3, {})]
        with pytest.raises(psycopg.errors.NotNullViolation):
            await conn.execute(
                "INSERT INTO admin_audit (actor_id, action, target, details) "
                "VALUES (%s, 'a', 'b', NULL)",
                (uuid.uuid4(),),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            await conn.execute("DELETE FROM admin_audit WHERE id = 1")
    assert await asyncio.to_thread(_drift, db) == []

    # Down to 0002 (serial id, no triggers, rows kept) and up again.
    await _migrate(db, "downgrade", "0002")
    async with await _connect(db) as conn:
        await conn.execute(INSERT, (uuid.uuid4(),))
        await conn.execute("DELETE FROM admin_audit WHERE id = 1")
        assert await _ids(conn) == [2, 3, 4]
    await _migrate(db, "upgrade", "head")
    async with await _connect(db) as conn:
        await conn.execute(INSERT, (uuid.uuid4(),))
        assert await _ids(conn) == [2, 3, 4, 5]
