"""Alembic glue: the body of every service's ``migrations/env.py``, and a programmatic upgrade.

Tables are created unqualified under ``search_path=<schema>`` so the same migrations can build a
throw-away schema in tests; the version table lives in that schema too.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, create_engine, pool, text

from fitness_platform.db import check_schema_name, to_sqlalchemy_url

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from fitness_platform.settings import ServiceSettings


def _resolve(settings: ServiceSettings | None) -> tuple[str, str]:
    from alembic import context

    x = context.get_x_argument(as_dictionary=True)
    url = x.get("url") or (settings.database_url if settings else None)
    url = url or os.environ.get("DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
    schema = x.get("schema") or (settings.db_schema if settings else None)
    schema = schema or os.environ.get("DB_SCHEMA")
    if not url or not schema:
        raise RuntimeError("migrations need a url and a schema: pass -x url=... -x schema=...")
    return to_sqlalchemy_url(url), check_schema_name(schema)


def _ensure_schema(connection: Connection, schema: str) -> None:
    exists = connection.execute(
        text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
    ).scalar()
    if not exists:
        # Only when missing: a service role may own its schema without CREATE on the database.
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))


def run_alembic_env(
    target_metadata: MetaData | None, settings: ServiceSettings | None = None, **configure: Any
) -> None:
    """Run migrations offline (SQL script) or online (sync psycopg connection)."""
    from alembic import context

    url, schema = _resolve(settings)
    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=target_metadata,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            version_table_schema=schema,
            **configure,
        )
        with context.begin_transaction():
            context.execute(f'SET search_path TO "{schema}"')
            context.run_migrations()
        return

    engine = create_engine(
        url, poolclass=pool.NullPool, connect_args={"options": f"-csearch_path={schema}"}
    )
    try:
        with engine.connect() as connection:
            _ensure_schema(connection, schema)
            connection.execute(text(f'SET search_path TO "{schema}"'))
            connection.commit()
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                version_table_schema=schema,
                compare_type=True,
                **configure,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def upgrade(database_url: str, schema: str, script_location: str, revision: str = "head") -> None:
    """``alembic upgrade`` without an ini file (blocking: call via ``asyncio.to_thread``)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.cmd_opts = argparse.Namespace(x=[f"schema={schema}", f"url={database_url}"])
    command.upgrade(cfg, revision)
