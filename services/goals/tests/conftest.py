"""Goals test fixtures: one migrated throw-away schema per session, the app over ASGI, the
consumers running in-process against the session's tansu, users with self-signed tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from fitness_contracts.base import IntegrationEvent
from fitness_platform.testing import (
    FreshSchema,
    TokenFactory,
    create_schema,
    drop_schema,
    publish_event,
    running_app,
    running_worker,
    schema_connection,
    wait_until,
)

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture(scope="session")
async def goals_schema(pg_admin_url: str) -> AsyncIterator[FreshSchema]:
    fresh = await create_schema(pg_admin_url, "goals", MIGRATIONS)
    yield fresh
    await drop_schema(pg_admin_url, fresh)


@pytest.fixture(scope="session")
def settings(
    goals_schema: FreshSchema, redis_url: str, kafka_bootstrap: str, token_factory: TokenFactory
) -> Any:
    from goals.settings import GoalsSettings

    return GoalsSettings(
        environment="test",
        database_url=goals_schema.url,
        db_schema=goals_schema.schema,
        redis_url=redis_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwks_json=token_factory.jwks_json,
        db_pool_size=4,
        db_read_pool_size=4,
    )


@pytest.fixture(scope="session")
def app(settings: Any) -> FastAPI:
    from goals.main import create_app

    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app, base_url="http://goals.test") as c:
        yield c


@pytest.fixture(scope="session")
async def session_factory(client: httpx.AsyncClient, app: FastAPI) -> Any:
    return app.state.sessionmaker


@pytest.fixture(scope="session")
async def consumers_running(settings: Any) -> AsyncIterator[None]:
    """The consumer process's subscribers, in-process, for the whole session."""
    from fitness_platform.worker import WorkerContext
    from goals import consumers

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(ctx.broker, settings=settings, session_factory=ctx.sessionmaker)

    async with running_worker(settings, build):
        yield


Publish = Callable[..., Awaitable[uuid.UUID]]


@pytest.fixture(scope="session")
def publish(event_producer: Any) -> Publish:
    """``await publish(event, user_id, event_id=None)``: a CloudEvent as the producers send it."""

    async def send(
        event: IntegrationEvent, user_id: uuid.UUID, *, event_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        return await publish_event(
            event_producer, event, key=user_id, event_id=event_id, source="/goals-tests"
        )

    return send


@pytest.fixture
async def inbox_has(db: psycopg.AsyncConnection[Any]) -> Callable[[uuid.UUID], Awaitable[None]]:
    """Wait until the consumers have handled (and committed) the event with this id."""

    async def wait(event_id: uuid.UUID) -> None:
        async def seen() -> bool:
            cur = await db.execute("SELECT 1 FROM inbox WHERE event_id = %s", (event_id,))
            return await cur.fetchone() is not None

        await wait_until(seen, timeout=60, interval=0.1, message=f"event {event_id} consumed")

    return wait


@pytest.fixture
async def db(goals_schema: FreshSchema) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain connection into the service schema for assertions (autocommit)."""
    async with schema_connection(goals_schema) as conn:
        yield conn


async def count(conn: psycopg.AsyncConnection[Any], query: str, *args: Any) -> int:
    row = await (await conn.execute(query, args)).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def scalar() -> Callable[..., Awaitable[int]]:
    """``await scalar(db, "SELECT count(*) ...", value)``."""
    return count
