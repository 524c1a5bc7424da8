"""Fixtures for identity's integration tests: a migrated throw-away schema, the app, a client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from fitness_platform.db import create_engine_for
from fitness_platform.testing import FreshSchema, create_schema, drop_schema
from identity.main import create_app
from identity.settings import IdentitySettings

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("identity-keys")


@pytest.fixture(scope="session")
async def identity_db(pg_admin_url: str) -> AsyncIterator[FreshSchema]:
    """One migrated schema (own role) for the session; tests use unique emails."""
    fresh = await create_schema(pg_admin_url, "identity", MIGRATIONS)
    yield fresh
    await drop_schema(pg_admin_url, fresh)


@pytest.fixture
def migrated_schema(
    fresh_schema: Callable[..., Awaitable[FreshSchema]],
) -> Callable[[], Awaitable[FreshSchema]]:
    """Factory of extra migrated schemas for one test (the platform's, dropped afterwards)."""
    return lambda: fresh_schema(MIGRATIONS, prefix="identity")


def _make_settings(
    db: FreshSchema, keys_dir: Path, redis_url: str, **overrides: Any
) -> IdentitySettings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": db.url,
        "db_schema": db.schema,
        "redis_url": redis_url,
        "kafka_bootstrap_servers": os.environ.get("FITNESS_TEST_KAFKA_BOOTSTRAP"),
        "keys_dir": keys_dir,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return IdentitySettings(**values)


@pytest.fixture(scope="session")
def make_settings(keys_dir: Path, redis_url: str) -> Callable[..., IdentitySettings]:
    """``make_settings(db, **overrides)``: settings for a migrated schema (tests can't import here)."""

    def make(db: FreshSchema, **overrides: Any) -> IdentitySettings:
        return _make_settings(db, keys_dir, redis_url, **overrides)

    return make


@pytest.fixture(scope="session")
def settings(identity_db: FreshSchema, keys_dir: Path, redis_url: str) -> IdentitySettings:
    # redis_url is the Redis database the platform's redis_client fixture reads and flushes.
    return _make_settings(identity_db, keys_dir, redis_url)


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


def _process_env(settings: IdentitySettings, **extra: str) -> dict[str, str]:
    """Environment for an identity process (relay, worker, consumer) started by a test."""
    env = dict(os.environ)
    env.update(
        {
            "IDENTITY_ENVIRONMENT": "test",
            "IDENTITY_DATABASE_URL": settings.database_url,
            "IDENTITY_DB_SCHEMA": settings.db_schema,
            "IDENTITY_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
            "IDENTITY_REDIS_URL": settings.redis_url or "",
            "IDENTITY_LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


@pytest.fixture(scope="session")
def process_env() -> Callable[..., dict[str, str]]:
    return _process_env


@dataclass(frozen=True)
class EngagementHistory:
    """Ten users' signups and active days: the engagement tests (the domain maths and
    GET /admin/metrics) check numbers computed by hand against this one history."""

    start: date
    end: date
    signups: dict[str, date]
    active: dict[str, list[date]]


@pytest.fixture(scope="session")
def history() -> EngagementHistory:
    d = date
    return EngagementHistory(
        # Range: Mon 2026-01-05 (ISO 2026-W02) .. 2026-02-08, 35 days.
        start=d(2026, 1, 5),
        end=d(2026, 2, 8),
        signups={
            "u0": d(2026, 1, 5),
            "u1": d(2026, 1, 5),
            "u2": d(2026, 1, 5),
            "u3": d(2026, 1, 6),
            "u4": d(2026, 1, 7),
            "u5": d(2026, 1, 12),
            "u6": d(2026, 1, 12),
            "u7": d(2026, 1, 14),
            "u8": d(2026, 1, 26),
            "u9": d(2025, 12, 20),  # before the range: active, but in no cohort
        },
        active={
            "u0": [d(2026, 1, 5), d(2026, 1, 6), d(2026, 1, 12), d(2026, 2, 4)],
            "u1": [d(2026, 1, 5), d(2026, 1, 6)],
            "u2": [d(2026, 1, 5)],
            "u3": [d(2026, 1, 6), d(2026, 1, 13), d(2026, 2, 5)],
            "u4": [d(2026, 1, 7), d(2026, 1, 8)],
            "u5": [d(2026, 1, 12), d(2026, 1, 13), d(2026, 1, 19)],
            "u6": [d(2026, 1, 12)],
            "u7": [d(2026, 1, 14), d(2026, 1, 21)],
            "u8": [d(2026, 1, 26), d(2026, 1, 27)],
            "u9": [d(2025, 12, 20), d(2026, 1, 1), d(2026, 1, 10)],
        },
    )
