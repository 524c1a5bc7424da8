"""Training test fixtures: one migrated throw-away schema per session, the app over ASGI,
users with self-signed Ed25519 tokens (the service gets a static JWKS), event helpers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from fitness_platform.events import EventEnvelope
from fitness_platform.testing import (
    FreshSchema,
    TokenFactory,
    create_schema,
    drop_schema,
    event_envelope,
    schema_connection,
)

SERVICE_DIR = Path(__file__).resolve().parents[1]
MIGRATIONS = str(SERVICE_DIR / "migrations")


@pytest.fixture(scope="session")
async def training_schema(pg_admin_url: str) -> AsyncIterator[FreshSchema]:
    fresh = await create_schema(pg_admin_url, "training", MIGRATIONS)
    yield fresh
    await drop_schema(pg_admin_url, fresh)


@pytest.fixture(scope="session")
def settings(
    training_schema: FreshSchema, redis_url: str, kafka_bootstrap: str, token_factory: TokenFactory
) -> Any:
    from training.settings import TrainingSettings

    return TrainingSettings(
        environment="test",
        database_url=training_schema.url,
        db_schema=training_schema.schema,
        redis_url=redis_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwks_json=token_factory.jwks_json,
        db_pool_size=4,
        db_read_pool_size=4,
    )


@pytest.fixture(scope="session")
async def app(settings: Any) -> AsyncIterator[FastAPI]:
    from training.main import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://training.test") as c:
        yield c


@pytest.fixture
async def db(training_schema: FreshSchema) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain connection into the service schema for assertions (autocommit)."""
    async with schema_connection(training_schema) as conn:
        yield conn


@pytest.fixture
def session_factory(app: FastAPI) -> Any:
    return app.state.sessionmaker


async def fetch_all(conn: psycopg.AsyncConnection[Any], query: str, *args: Any) -> list[Any]:
    cur = await conn.execute(query, args)
    return await cur.fetchall()


@pytest.fixture
def rows() -> Callable[..., Any]:
    """``await rows(db, "SELECT ... WHERE x = %s", value)`` → list of tuples."""
    return fetch_all


def _envelope(
    event: Any, *, event_id: uuid.UUID | None = None, source: str = "/test"
) -> EventEnvelope:
    return event_envelope(event, subject=event.user_id, event_id=event_id)


@pytest.fixture
def envelope() -> Callable[..., EventEnvelope]:
    """``envelope(event, event_id=...)``: the event as the platform's consumer hands it to a
    handler (CloudEvents headers + camelCase JSON, decoded)."""
    return _envelope
