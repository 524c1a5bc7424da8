"""Async SQLAlchemy engine/session plumbing (psycopg 3; one schema per service, DESIGN §6)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated
from weakref import WeakKeyDictionary

from fastapi import Depends, Request
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

if TYPE_CHECKING:
    from fitness_platform.settings import ServiceSettings

log = logging.getLogger("fitness_platform.db")

# Deterministic constraint names, so Alembic migrations of every service name things the same way.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """A fresh MetaData for one service's ``DeclarativeBase`` (each service owns its own)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_schema_name(schema: str) -> str:
    """Schema names end up in DDL and connect options: allow plain identifiers only."""
    if not _SCHEMA_RE.fullmatch(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return schema


def to_sqlalchemy_url(url: str) -> str:
    """Accept ``postgresql://`` / ``postgres://`` too and pin the psycopg 3 driver."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def to_libpq_url(url: str) -> str:
    """The same URL as plain libpq understands it (for psycopg.AsyncConnection.connect)."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def create_engine_for(
    url: str,
    schema: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 5,
    pool_recycle: int = 1800,
) -> AsyncEngine:
    check_schema_name(schema)
    return _create_async_engine(
        to_sqlalchemy_url(url),
        # search_path per connection so tables are unqualified and a test can use any schema.
        connect_args={"options": f"-csearch_path={schema}"},
        pool_size=pool_size,
        max_overflow=max_overflow,
        # No pre-ping (a round trip per checkout); recycle bounds the age of idle connections.
        pool_pre_ping=False,
        pool_recycle=pool_recycle,
    )


def create_engine(settings: ServiceSettings) -> AsyncEngine:
    return create_engine_for(
        settings.database_url,
        settings.db_schema,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_recycle=settings.db_pool_recycle_s,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; the caller commits (``async with session.begin()`` or commit())."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def create_read_pool(settings: ServiceSettings) -> AsyncConnectionPool:
    """A plain psycopg pool in autocommit for hot read paths; open it with ``await pool.open()``.

    Why beside the engine: per primary-key read at 16 in flight, measured here (2026-11-28), an
    AsyncSession costs ~0.44 ms CPU, a Core ``engine.connect()`` ~0.35 ms and a pooled autocommit
    psycopg connection ~0.10 ms (no BEGIN/ROLLBACK round trips, no greenlet hop); DESIGN §10.
    Reads only: writes stay on the session so they share a transaction with the outbox.
    """
    schema = check_schema_name(settings.db_schema)
    return AsyncConnectionPool(
        to_libpq_url(settings.database_url),
        min_size=1,
        max_size=settings.db_read_pool_size,
        max_lifetime=settings.db_pool_recycle_s,
        timeout=settings.db_read_pool_timeout_s,
        kwargs={"autocommit": True, "options": f"-csearch_path={schema}"},
        name=f"{settings.service_name}-read",
        open=False,
    )


# One check at a time per pool (single flight); the last one is kept for whoever waits on it.
_READ_POOL_CHECKS: WeakKeyDictionary[AsyncConnectionPool, asyncio.Task[None]] = WeakKeyDictionary()


def recheck_read_pool(pool: AsyncConnectionPool) -> asyncio.Task[None]:
    """Drop the pool's idle connections the server has closed (one empty query each).

    psycopg_pool notices a dead connection only when a request draws it, so after a PostgreSQL
    restart every idle connection would fail one request with a 503 (issue 14). Readiness awaits
    this before saying yes; a lost connection's 503 starts it without waiting. A check already
    running is shared, not repeated.
    """
    task = _READ_POOL_CHECKS.get(pool)
    if task is None or task.done():
        task = asyncio.get_running_loop().create_task(_check_read_pool(pool))
        _READ_POOL_CHECKS[pool] = task
    return task


def pending_read_pool_check(pool: AsyncConnectionPool) -> asyncio.Task[None] | None:
    """The pool's latest check (running or done), or None if none was started."""
    return _READ_POOL_CHECKS.get(pool)


async def _check_read_pool(pool: AsyncConnectionPool) -> None:
    try:
        await pool.check()
    except Exception:  # the next readiness probe or request reports the database state
        log.warning("read pool check failed", exc_info=True)


async def get_read_pool(request: Request) -> AsyncConnectionPool:
    pool: AsyncConnectionPool | None = getattr(request.app.state, "read_pool", None)
    if pool is None:
        raise RuntimeError("this app was built without read_pool=True (create_service_app)")
    return pool


ReadPoolDep = Annotated[AsyncConnectionPool, Depends(get_read_pool)]
