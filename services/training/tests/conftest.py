"""Training test fixtures: one migrated throw-away schema per session, the app over ASGI,
users with self-signed Ed25519 tokens (the service gets a static JWKS), event helpers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from fitness_platform.db import to_libpq_url
from fitness_platform.events import EventEnvelope, cloudevent_headers, decode_event
from fitness_platform.testing import FreshSchema, TokenFactory, create_schema, drop_schema

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


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    headers: dict[str, str]


@pytest.fixture
def make_user(token_factory: TokenFactory) -> Callable[..., User]:
    def make(*roles: str) -> User:
        user_id = uuid.uuid4()
        return User(user_id, token_factory.headers(user_id, roles=roles or ("user",)))

    return make


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user()


@pytest.fixture
def other_user(make_user: Callable[..., User]) -> User:
    return make_user()


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("user", "admin")


@pytest.fixture
async def db(training_schema: FreshSchema) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain connection into the service schema for assertions (autocommit)."""
    async with await psycopg.AsyncConnection.connect(
        to_libpq_url(training_schema.url),
        autocommit=True,
        options=f"-csearch_path={training_schema.schema}",
    ) as conn:
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
    headers = cloudevent_headers(
        event_type=event.event_type,
        source=source,
        event_id=event_id or uuid.uuid4(),
        time=datetime.now(UTC),
        subject=str(event.user_id),
    )
    return decode_event(headers, event.model_dump_json(by_alias=True).encode())


@pytest.fixture
def envelope() -> Callable[..., EventEnvelope]:
    """``envelope(event, event_id=...)``: the event as the platform's consumer hands it to a
    handler (CloudEvents headers + camelCase JSON, decoded)."""
    return _envelope
