"""Fixtures for identity's integration tests: a migrated throw-away schema, the app, a client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from fitness_platform.db import create_engine_for
from identity.main import create_app
from identity.settings import IdentitySettings

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("identity-keys")


@pytest.fixture(scope="session")
def identity_db(fresh_schema: Any) -> Any:
    """A migrated schema for this test session (tests use unique emails, no cleanup needed)."""
    return fresh_schema(MIGRATIONS)


def _make_settings(db: Any, keys_dir: Path, **overrides: Any) -> IdentitySettings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": db.url,
        "db_schema": db.schema,
        "redis_url": os.environ["FITNESS_TEST_REDIS_URL"],
        "kafka_bootstrap_servers": os.environ.get("FITNESS_TEST_KAFKA_BOOTSTRAP"),
        "keys_dir": keys_dir,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return IdentitySettings(**values)


@pytest.fixture(scope="session")
def make_settings(keys_dir: Path) -> Callable[..., IdentitySettings]:
    """``make_settings(db, **overrides)``: settings for a migrated schema (tests can't import here)."""

    def make(db: Any, **overrides: Any) -> IdentitySettings:
        return _make_settings(db, keys_dir, **overrides)

    return make


@pytest.fixture(scope="session")
def settings(identity_db: Any, keys_dir: Path) -> IdentitySettings:
    return _make_settings(identity_db, keys_dir)


@pytest.fixture(scope="session")
async def app(settings: IdentitySettings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity.test") as c:
        yield c


@pytest.fixture(scope="session")
async def engine(settings: IdentitySettings) -> AsyncIterator[AsyncEngine]:
    eng = create_engine_for(settings.database_url, settings.db_schema, pool_size=2)
    yield eng
    await eng.dispose()
