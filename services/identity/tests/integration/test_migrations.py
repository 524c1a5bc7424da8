"""The migrations build exactly what the models describe, and downgrade cleanly."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool

from identity.tables import metadata

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
_PLATFORM_TABLES = {"outbox", "inbox", "alembic_version"}


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) not in _PLATFORM_TABLES


def _sync_engine(db: Any) -> Any:
    return create_engine(
        db.url, poolclass=pool.NullPool, connect_args={"options": f"-csearch_path={db.schema}"}
    )


def _diff(db: Any) -> list[Any]:
    engine = _sync_engine(db)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"include_object": _include, "compare_type": True}
            )
            return list(compare_metadata(ctx, metadata))
    finally:
        engine.dispose()


def _tables(db: Any) -> set[str]:
    engine = _sync_engine(db)
    try:
        return set(inspect(engine).get_table_names(schema=db.schema))
    finally:
        engine.dispose()


def _alembic(db: Any, verb: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.cmd_opts = argparse.Namespace(x=[f"schema={db.schema}", f"url={db.url}"])
    getattr(command, verb)(cfg, revision)


async def test_models_match_migrations(identity_db: Any) -> None:
    assert await asyncio.to_thread(_diff, identity_db) == []
    tables = await asyncio.to_thread(_tables, identity_db)
    assert {"users", "refresh_tokens", "outbox", "inbox"} <= tables


async def test_downgrade_to_base_and_back(
    migrated_schema: Callable[[], Awaitable[Any]],
) -> None:
    db = await migrated_schema()
    await asyncio.to_thread(_alembic, db, "downgrade", "base")
    assert await asyncio.to_thread(_tables, db) <= {"alembic_version"}
    await asyncio.to_thread(_alembic, db, "upgrade", "head")
    assert {"users", "refresh_tokens", "outbox", "inbox"} <= await asyncio.to_thread(_tables, db)
