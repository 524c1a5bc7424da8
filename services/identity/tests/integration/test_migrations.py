"""The migrations build exactly what the models describe, and downgrade cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, pool

from fitness_platform.testing import alembic_run, schema_drift
from identity.tables import metadata

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def _tables(db: Any) -> set[str]:
    engine = create_engine(
        db.url, poolclass=pool.NullPool, connect_args={"options": f"-csearch_path={db.schema}"}
    )
    try:
        return set(inspect(engine).get_table_names(schema=db.schema))
    finally:
        engine.dispose()


async def test_models_match_migrations(identity_db: Any) -> None:
    assert await asyncio.to_thread(schema_drift, identity_db, metadata) == []
    tables = await asyncio.to_thread(_tables, identity_db)
    assert {"users", "refresh_tokens", "outbox", "inbox"} <= tables


async def test_downgrade_to_base_and_back(
    migrated_schema: Callable[[], Awaitable[Any]],
) -> None:
    db = await migrated_schema()
    await asyncio.to_thread(alembic_run, db, MIGRATIONS, "downgrade", "base")
    assert await asyncio.to_thread(_tables, db) <= {"alembic_version"}
    await asyncio.to_thread(alembic_run, db, MIGRATIONS, "upgrade", "head")
    assert {"users", "refresh_tokens", "outbox", "inbox"} <= await asyncio.to_thread(_tables, db)
