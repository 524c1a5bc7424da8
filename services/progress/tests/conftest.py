"""Progress test fixtures: one migrated throw-away schema per session, the app over ASGI, users
with self-signed Ed25519 tokens (static JWKS), a bucket of its own on the test S3."""

from __future__ import annotations

import os
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
from fitness_platform.testing import scalar as scalar_of

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture(scope="session")
async def progress_schema(pg_admin_url: str) -> AsyncIterator[FreshSchema]:
    fresh = await create_schema(pg_admin_url, "progress", MIGRATIONS)
    yield fresh
    await drop_schema(pg_admin_url, fresh)


@pytest.fixture(scope="session")
def settings(
    progress_schema: FreshSchema, redis_url: str, kafka_bootstrap: str, token_factory: TokenFactory
) -> Any:
    from progress.settings import ProgressSettings

    return ProgressSettings(
        environment="test",
        database_url=progress_schema.url,
        db_schema=progress_schema.schema,
        redis_url=redis_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwks_json=token_factory.jwks_json,
        db_pool_size=4,
        db_read_pool_size=4,
        s3_endpoint=os.environ["FITNESS_TEST_S3_ENDPOINT"],
        s3_access_key=os.environ["FITNESS_TEST_S3_ACCESS_KEY"],
        s3_secret_key=os.environ["FITNESS_TEST_S3_SECRET_KEY"],
        s3_bucket=f"progress-test-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture(scope="session")
async def app(settings: Any) -> AsyncIterator[FastAPI]:
    from progress.main import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://progress.test") as c:
        yield c


@pytest.fixture
async def db(progress_schema: FreshSchema) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain connection into the service schema for assertions (autocommit)."""
    async with schema_connection(progress_schema) as conn:
        yield conn


@pytest.fixture
def session_factory(app: FastAPI) -> Any:
    return app.state.sessionmaker


@pytest.fixture
def scalar() -> Callable[..., Any]:
    """``await scalar(db, "SELECT count(*) ... WHERE user_id = %s", user.id)``."""
    return scalar_of


@pytest.fixture
def envelope() -> Callable[..., EventEnvelope]:
    """``envelope(event, subject=user_id)``: an event as the consumer decodes it from Kafka."""
    return event_envelope
