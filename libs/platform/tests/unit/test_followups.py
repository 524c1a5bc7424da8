"""Settings opt-outs, metrics host/port, Redis socket timeouts, ``sid``, problem-only OpenAPI."""

from __future__ import annotations

import asyncio
import socket
import urllib.request
import uuid
from collections.abc import AsyncIterator
from typing import ClassVar

import httpx
import pytest
import redis.exceptions
from fastapi import APIRouter, FastAPI
from pydantic import ValidationError

from fitness_platform.app import create_service_app
from fitness_platform.auth import CurrentUserDep, JWKSCache, TokenVerifier
from fitness_platform.observability import start_metrics_server
from fitness_platform.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_RESPONSES,
    install_problem_openapi,
    problem_responses,
)
from fitness_platform.redis import create_redis
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import TokenFactory

SAFE_PROD = {
    "environment": "prod",
    "database_url": "postgresql+psycopg://svc:pw@db.internal:5432/fitness",
    "db_schema": "nutrition",
    "redis_url": "redis://cache.internal:6379/0",
    "jwks_url": "http://identity/.well-known/jwks.json",
    "kafka_bootstrap_servers": "kafka:9092",
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


# ---------------------------------------------------------------- settings


class GatewayLike(ServiceSettings):
    requires: ClassVar[frozenset[str]] = frozenset({"redis", "jwks"})


class IdentityLike(ServiceSettings):
    requires: ClassVar[frozenset[str]] = frozenset({"database", "redis", "kafka"})


def test_subclass_opts_out_of_requirements() -> None:
    gw = GatewayLike(
        environment="prod",
        redis_url="redis://cache.internal:6379/0",
        jwks_url="http://identity/.well-known/jwks.json",
    )
    assert gw.db_schema == "public"  # no DB: the defaults are not refused
    assert gw.kafka_bootstrap_servers is None
    ident = IdentityLike(**{**SAFE_PROD, "jwks_url": None})
    assert ident.jwks_url is None


def test_opted_out_class_still_refuses_what_it_requires() -> None:
    with pytest.raises(ValidationError, match="redis_url is the local default"):
        GatewayLike(environment="prod", jwks_url="http://identity/jwks")
    with pytest.raises(ValidationError, match="jwks_url or jwks_json"):
        GatewayLike(environment="prod", redis_url="redis://cache.internal:6379/0")
    with pytest.raises(ValidationError, match="kafka_bootstrap_servers"):
        IdentityLike(**{**SAFE_PROD, "kafka_bootstrap_servers": None})


def test_base_still_requires_everything() -> None:
    assert ServiceSettings.requires == {"database", "redis", "kafka", "jwks"}
    with pytest.raises(ValidationError, match="jwks_url or jwks_json"):
        ServiceSettings(**{**SAFE_PROD, "jwks_url": None})


def test_metrics_host_defaults_by_environment() -> None:
    assert ServiceSettings(environment="dev").resolved_metrics_host == "127.0.0.1"
    assert ServiceSettings(environment="test").resolved_metrics_host == "127.0.0.1"
    assert ServiceSettings(**SAFE_PROD).resolved_metrics_host == "0.0.0.0"
    dev_compose = ServiceSettings(environment="dev", metrics_host="0.0.0.0")
    assert dev_compose.resolved_metrics_host == "0.0.0.0"


def test_metrics_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_settings import SettingsConfigDict

    class WorkerSettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="WORKERX_", frozen=True, extra="ignore")

    monkeypatch.setenv("WORKERX_WORKER_METRICS_PORT", "9101")
    monkeypatch.setenv("WORKERX_METRICS_HOST", "0.0.0.0")
    monkeypatch.setenv("WORKERX_REDIS_TIMEOUT_S", "0.25")
    s = WorkerSettings()
    assert (s.worker_metrics_port, s.resolved_metrics_host, s.redis_timeout_s) == (
        9101,
        "0.0.0.0",
        0.25,
    )
    assert ServiceSettings().redis_timeout_s == 0.5


# ---------------------------------------------------------------- metrics server


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - http://127.0.0.x only
        return resp.read().decode()


def _refused(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((host, port)) != 0


def test_start_metrics_server_binds_metrics_host() -> None:
    # 127.0.0.2 is loopback too on Linux: answering there and not on 127.0.0.1 proves the bind.
    settings = ServiceSettings(environment="test", worker_metrics_port=0, metrics_host="127.0.0.2")
    port = start_metrics_server(settings)
    assert port
    text = _get(f"http://127.0.0.2:{port}/metrics")
    assert "# TYPE python_gc_objects_collected_total counter" in text  # the default registry
    assert _refused("127.0.0.1", port)


def test_start_metrics_server_falls_back_to_relay_port_or_off() -> None:
    assert start_metrics_server(ServiceSettings(environment="test")) is None
    port = start_metrics_server(ServiceSettings(environment="test", relay_metrics_port=0))
    assert port
    assert "python_gc_objects_collected_total" in _get(f"http://127.0.0.1:{port}/metrics")


# ---------------------------------------------------------------- redis


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts and never answers: a hung Redis."""
    held: list[asyncio.StreamWriter] = []

    async def on_connect(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        held.append(w)

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for w in held:
        w.close()
    server.close()
    await server.wait_closed()


async def test_hung_redis_times_out(silent_server: int) -> None:
    client = create_redis(
        f"redis://127.0.0.1:{silent_server}/0", socket_timeout=0.2, socket_connect_timeout=0.2
    )
    pool_kwargs = client.connection_pool.connection_kwargs
    assert (pool_kwargs["socket_timeout"], pool_kwargs["socket_connect_timeout"]) == (0.2, 0.2)
    try:
        # The outer guard only keeps a regression from hanging the suite.
        with pytest.raises(redis.exceptions.TimeoutError):
            await asyncio.wait_for(client.ping(), 30)
    finally:
        await client.aclose()


def test_create_redis_defaults_keep_old_behaviour() -> None:
    client = create_redis("redis://127.0.0.1:1/0", timeout=3)
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] is None
    assert kwargs["socket_connect_timeout"] == 3


# ---------------------------------------------------------------- sid


async def test_sid_claim_is_exposed() -> None:
    tokens = TokenFactory(kid="k-sid")
    verifier = TokenVerifier(
        JWKSCache(jwks=tokens.jwks), issuer="fitness-identity", audience="fitness-api"
    )
    family = str(uuid.uuid4())
    assert (await verifier.verify(tokens.issue(sid=family))).sid == family
    assert (await verifier.verify(tokens.issue())).sid is None


# ---------------------------------------------------------------- app without a database

router = APIRouter(prefix="/things", tags=["things"])


@router.get("/{thing_id}", responses=problem_responses(401, 404))
async def get_thing(thing_id: int, user: CurrentUserDep) -> dict[str, str | None]:
    return {"user": str(user.id), "sid": user.sid}


async def test_app_without_database_and_sid_on_current_user() -> None:
    tokens = TokenFactory(kid="k-app")
    # A DB URL nobody listens on: with database=False it must never be touched.
    settings = ServiceSettings(
        environment="test",
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
        redis_url=None,
        jwks_json=tokens.jwks_json,
    )
    app = create_service_app(
        settings, title="no-db", routers=[router], configure_logs=False, database=False
    )
    async with app.router.lifespan_context(app):
        assert app.state.engine is None
        assert app.state.sessionmaker is None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            ready = await client.get("/health/ready")
            assert ready.status_code == 200, ready.text
            assert ready.json() == {"status": "ok", "checks": {}}
            user = uuid.uuid4()
            resp = await client.get("/things/1", headers=tokens.headers(sub=user, sid="family-1"))
            assert resp.json() == {"user": str(user), "sid": "family-1"}


# ---------------------------------------------------------------- problem+json only


def _problem_contents(spec: dict) -> list[dict]:
    return [
        response["content"]
        for operations in spec["paths"].values()
        for operation in operations.values()
        for status, response in operation["responses"].items()
        if status in {"400", "401", "403", "404", "409", "413", "422", "429", "500"}
    ]


def test_service_app_lists_only_problem_json() -> None:
    app = create_service_app(
        ServiceSettings(environment="test"), title="t", routers=[router], configure_logs=False
    )
    spec = app.openapi()
    contents = _problem_contents(spec)
    assert len(contents) >= 4  # 401, 404, 422, 500 on /things/{thing_id} at least
    for content in contents:
        assert content == {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
    assert "Problem" in spec["components"]["schemas"]
    ok = spec["paths"]["/things/{thing_id}"]["get"]["responses"]["200"]["content"]
    assert "application/json" in ok  # real JSON responses keep their type


def test_install_problem_openapi_on_a_hand_built_app() -> None:
    app = FastAPI(responses={404: PROBLEM_RESPONSES[404]})

    @app.get("/x")
    async def x() -> dict[str, int]:
        return {}

    plain = app.openapi()["paths"]["/x"]["get"]["responses"]["404"]["content"]
    assert set(plain) == {"application/json", PROBLEM_MEDIA_TYPE}  # FastAPI's doing
    app.openapi_schema = None
    install_problem_openapi(app)
    fixed = app.openapi()
    assert fixed["paths"]["/x"]["get"]["responses"]["404"]["content"] == {
        PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}
    }
    assert app.openapi() is fixed  # cached
