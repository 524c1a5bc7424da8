"""Nutrition test fixtures: one migrated throw-away schema per session, the app over ASGI,
users with self-signed Ed25519 tokens (the service gets a static JWKS)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from fitness_platform.testing import (
    FreshSchema,
    TokenFactory,
    create_schema,
    drop_schema,
    running_app,
    schema_connection,
)

SERVICE_DIR = Path(__file__).resolve().parents[1]
MIGRATIONS = str(SERVICE_DIR / "migrations")


@pytest.fixture(scope="session")
async def nutrition_schema(pg_admin_url: str) -> AsyncIterator[FreshSchema]:
    fresh = await create_schema(pg_admin_url, "nutrition", MIGRATIONS)
    yield fresh
    await drop_schema(pg_admin_url, fresh)


@pytest.fixture(scope="session")
def settings(
    nutrition_schema: FreshSchema, redis_url: str, kafka_bootstrap: str, token_factory: TokenFactory
) -> Any:
    from nutrition.settings import NutritionSettings

    return NutritionSettings(
        environment="test",
        database_url=nutrition_schema.url,
        db_schema=nutrition_schema.schema,
        redis_url=redis_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwks_json=token_factory.jwks_json,
        db_pool_size=4,
    )


@pytest.fixture(scope="session")
def app(settings: Any) -> FastAPI:
    from nutrition.main import create_app

    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Runs the app's lifespan for the session (``app.state`` is set up from here on)."""
    async with running_app(app, "http://nutrition.test") as c:
        yield c


@pytest.fixture
async def db(nutrition_schema: FreshSchema) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain connection into the service schema for assertions (autocommit)."""
    async with schema_connection(nutrition_schema) as conn:
        yield conn


@pytest.fixture
def session_factory(app: FastAPI, client: httpx.AsyncClient) -> Any:
    return app.state.sessionmaker  # opened by the lifespan that ``client`` runs


async def fetch_all(conn: psycopg.AsyncConnection[Any], query: str, *args: Any) -> list[Any]:
    cur = await conn.execute(query, args)
    return await cur.fetchall()


@pytest.fixture
def rows() -> Callable[..., Any]:
    """``await rows(db, "SELECT ... WHERE x = %s", value)`` → list of tuples."""
    return fetch_all


PROFILE = {
    "gender": "male",
    "age": 30,
    "heightCm": 180,
    "weightKg": 80,
    "activityLevel": "moderate",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
}


@pytest.fixture
def calc_body() -> dict[str, Any]:
    return dict(PROFILE)
