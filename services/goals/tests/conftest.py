"""Goals test fixtures: one migrated throw-away schema per session, the app over ASGI, the
consumers running in-process against the session's tansu, users with self-signed tokens."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from fitness_contracts.base import IntegrationEvent
from fitness_platform.db import to_libpq_url
from fitness_platform.events import cloudevent_headers
from fitness_platform.testing import (
    FreshSchema,
    TokenFactory,
    create_schema,
    drop_schema,
    running_app,
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
    from fitness_platform.worker import WorkerContext, serve_worker
    from goals import consumers

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(ctx.broker, settings=settings, session_factory=ctx.sessionmaker)

    stop = asyncio.Event()
    task = asyncio.create_task(serve_worker(settings, stop, name="consumer", build=build))
    yield
    stop.set()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 30)


@pytest.fixture(scope="session")
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await p.start()
    yield p
    await p.stop()


Publish = Callable[..., Awaitable[uuid.UUID]]


@pytest.fixture(scope="session")
def publish(producer: AIOKafkaProducer) -> Publish:
    """``await publish(event, user_id, event_id=None)``: a CloudEvent as the producers send it."""

    async def send(
        event: IntegrationEvent, user_id: uuid.UUID, *, event_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        eid = event_id or uuid.uuid4()
        headers = cloudevent_headers(
            event_type=event.event_type,
            source="/goals-tests",
            event_id=eid,
            time=datetime.now(UTC),
            subject=str(user_id),
        )
        body = event.model_dump_json(by_alias=True).encode()
        await producer.send_and_wait(event.topic, body, key=str(user_id).encode(), headers=headers)
        return eid

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
async def db(goals_schema: FreshSchema) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain connection into the service schema for assertions (autocommit)."""
    async with await psycopg.AsyncConnection.connect(
        to_libpq_url(goals_schema.url),
        autocommit=True,
        options=f"-csearch_path={goals_schema.schema}",
    ) as conn:
        yield conn


async def count(conn: psycopg.AsyncConnection[Any], query: str, *args: Any) -> int:
    row = await (await conn.execute(query, args)).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def scalar() -> Callable[..., Awaitable[int]]:
    """``await scalar(db, "SELECT count(*) ...", value)``."""
    return count
