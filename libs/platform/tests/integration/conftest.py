"""Integration fixtures: a migrated throw-away schema and an engine on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitness_platform.db import create_engine_for, create_sessionmaker
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import FreshSchema

SCRIPT_LOCATION = str(Path(__file__).parent / "migrations")


@pytest.fixture
async def schema(fresh_schema: Callable[..., Awaitable[FreshSchema]]) -> FreshSchema:
    return await fresh_schema(SCRIPT_LOCATION, prefix="platform")


@pytest.fixture
async def engine(schema: FreshSchema) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(schema.url, schema.schema, pool_size=2, max_overflow=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
def settings(schema: FreshSchema, kafka_bootstrap: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="platformtest",
        environment="test",
        database_url=schema.url,
        db_schema=schema.schema,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_session_timeout_ms=6000,
    )
