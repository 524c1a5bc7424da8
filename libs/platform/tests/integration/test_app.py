"""create_service_app against the real database, Redis and broker."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import orjson
import psycopg
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from fitness_platform.app import create_service_app
from fitness_platform.auth import (
    DENYLIST_KEY,
    USER_REVOKED_KEY,
    CurrentUserDep,
    revoke_user_tokens,
)
from fitness_platform.db import ReadPoolDep, SessionDep, pending_read_pool_check, to_libpq_url
from fitness_platform.pagination import Page, PageDep
from fitness_platform.problems import problem_responses
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import TokenFactory

router = APIRouter(prefix="/things", tags=["things"])


@router.get("", responses=problem_responses(401))
async def list_things(session: SessionDep, user: CurrentUserDep, page: PageDep) -> Page[int]:
    value = (await session.execute(text("SELECT 41 + 1"))).scalar_one()
    return Page.of([value], page, total=1)


@router.get("/schema", responses=problem_responses(503))
async def read_schema(pool: ReadPoolDep) -> dict[str, Any]:
    async with pool.connection() as conn:
        cursor = await conn.execute("SELECT current_schema(), now() = statement_timestamp()")
        row = await cursor.fetchone()
    assert row is not None
    # In autocommit every statement is its own transaction, so now() is this statement's time.
    return {"schema": row[0], "autocommit": row[1]}


@router.get("/count", responses=problem_responses(503))
async def count(session: SessionDep) -> int:
    return int((await session.execute(text("SELECT 1"))).scalar_one())


@pytest.fixture
def app_settings(settings: ServiceSettings, redis_url: str, token_factory: TokenFactory) -> Any:
    return settings.model_copy(
        update={"redis_url": redis_url, "jwks_json": token_factory.jwks_json}
    )


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            yield client


@pytest.fixture
async def client(app_settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        app_settings, title="Platform test", routers=[router], configure_logs=False
    )
    async for c in _client(app):
        yield c


async def test_ready_checks_db_redis_kafka(client: httpx.AsyncClient) -> None:
    resp = await client.get("/health/ready")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"status": "ok", "checks": {"db": "ok", "redis": "ok", "kafka": "ok"}}
    assert (await client.get("/health/live")).json()["status"] == "ok"


async def test_ready_is_503_problem_when_db_is_down(app_settings: ServiceSettings) -> None:
    broken = app_settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    app = create_service_app(broken, title="t", configure_logs=False)
    async for c in _client(app):
        resp = await c.get("/health/ready")
        assert resp.status_code == 503
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.json()["failing"] == ["db"]


async def test_read_pool_reads_the_service_schema_in_autocommit(
    app_settings: ServiceSettings,
) -> None:
    app = create_service_app(
        app_settings, title="t", routers=[router], configure_logs=False, read_pool=True
    )
    async for c in _client(app):
        resp = await c.get("/things/schema")
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"schema": app_settings.db_schema, "autocommit": True}


async def test_read_pool_needs_to_be_asked_for(client: httpx.AsyncClient) -> None:
    # The default app has no read pool: using ReadPoolDep there is a programming error (500).
    resp = await client.get("/things/schema")
    assert resp.status_code == 500
    assert resp.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/things/schema", "/things/count"])
async def test_database_down_is_a_retryable_503_problem(
    app_settings: ServiceSettings, path: str
) -> None:
    broken = app_settings.model_copy(
        update={
            "database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "db_read_pool_timeout_s": 0.5,
        }
    )
    app = create_service_app(
        broken, title="t", routers=[router], configure_logs=False, read_pool=True
    )
    async for c in _client(app):
        resp = await c.get(path)
        assert resp.status_code == 503, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.headers["retry-after"] == "1"
        assert resp.json()["detail"] == "The database is unavailable; retry shortly."


async def _read_pool_backends(app: FastAPI, n: int) -> list[int]:
    """Open ``n`` connections of the app's read pool at once and return their backend pids."""
    pool = app.state.read_pool
    async with AsyncExitStack() as stack:
        conns = [await stack.enter_async_context(pool.connection()) for _ in range(n)]
        pids = []
        for conn in conns:
            row = await (await conn.execute("SELECT pg_backend_pid()")).fetchone()
            pids.append(row[0])
    return pids


async def _terminate(url: str, pids: list[int]) -> None:
    # What a PostgreSQL restart does to the pool's idle connections: the server side goes away.
    async with await psycopg.AsyncConnection.connect(to_libpq_url(url), autocommit=True) as conn:
        await conn.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) pid", (pids,))


@pytest.fixture
async def broken_pool(
    app_settings: ServiceSettings,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app whose read pool holds three idle connections the server has just dropped."""
    app = create_service_app(
        app_settings, title="t", routers=[router], configure_logs=False, read_pool=True
    )
    async for c in _client(app):
        await _terminate(app_settings.database_url, await _read_pool_backends(app, 3))
        yield app, c


async def test_readiness_drops_read_connections_a_database_restart_broke(
    broken_pool: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _app, client = broken_pool
    resp = await client.get("/health/ready")
    assert resp.status_code == 200, resp.text
    assert resp.json()["checks"]["db_read"] == "ok"
    # Ready means ready: none of the next reads draws a dead connection.
    for _ in range(4):
        assert (await client.get("/things/schema")).status_code == 200


async def test_a_lost_read_connection_fails_one_request_not_one_per_idle_connection(
    broken_pool: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = broken_pool
    first = await client.get("/things/schema")
    assert first.status_code == 503, first.text
    assert first.headers["retry-after"] == "1"
    # The 503 started a check of the pool's other idle connections; once it is done every
    # read succeeds (without it each of the two other dead connections fails one more).
    check = pending_read_pool_check(app.state.read_pool)
    assert check is not None
    await asyncio.wait_for(check, 10)
    for _ in range(4):
        assert (await client.get("/things/schema")).status_code == 200


async def test_authenticated_route_with_session(
    client: httpx.AsyncClient, token_factory: TokenFactory, redis_client: Any
) -> None:
    token = token_factory.issue()
    resp = await client.get("/things", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"items": [42], "page": 1, "limit": 20, "total": 1}

    # Logout denylists the jti: the same token is refused at once.
    payload = token.split(".")[1]
    jti = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]
    await redis_client.set(DENYLIST_KEY.format(jti=jti), "1", ex=60)
    resp = await client.get("/things", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert resp.json()["detail"] == "Token has been revoked."


async def test_tokens_issued_before_the_users_revocation_mark_are_refused(
    client: httpx.AsyncClient, token_factory: TokenFactory, redis_client: Any
) -> None:
    user_id = uuid.uuid4()
    old = token_factory.issue(user_id, iat=int(time.time()) - 5)
    other_user = token_factory.issue(uuid.uuid4(), iat=int(time.time()) - 5)
    assert (await client.get("/things", headers=_bearer(old))).status_code == 200
    await revoke_user_tokens(redis_client, user_id, ttl_s=60)
    resp = await client.get("/things", headers=_bearer(old))
    assert resp.status_code == 401
    assert resp.json()["detail"] == "Token has been revoked."
    # Identity mints later tokens with iat at the mark; other users are untouched.
    mark = int(await redis_client.get(USER_REVOKED_KEY.format(user_id=user_id)))
    fresh = token_factory.issue(user_id, iat=mark)
    assert (await client.get("/things", headers=_bearer(fresh))).status_code == 200
    assert (await client.get("/things", headers=_bearer(other_user))).status_code == 200


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_openapi_ids_and_metrics(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    op = spec["paths"]["/things"]["get"]
    assert op["operationId"] == "things-list_things"
    assert set(op["responses"]) >= {"200", "401", "422", "500"}
    assert op["security"] == [{"HTTPBearer": []}]
    assert "/metrics" not in spec["paths"]
    await client.get("/health/live")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "http_request" in metrics.text


async def test_http_metrics_are_the_three_the_dashboards_read(client: httpx.AsyncClient) -> None:
    await client.get("/things", headers=_bearer("not-a-token"))
    text = (await client.get("/metrics")).text
    assert 'http_requests_total{handler="/things",method="GET",status="401"}' in text
    assert "http_request_duration_highr_seconds_bucket" in text
    assert 'http_request_duration_seconds_bucket{handler="/things"' in text
    # the instrumentator's size summaries cost CPU on every request and nothing reads them
    assert "http_request_size_bytes" not in text
    assert "http_response_size_bytes" not in text
