"""The gateway process: ``uvicorn gateway.main:create_app --factory``.

Two apps behind one ASGI callable: the gateway's own endpoints (``/health/*``, ``/metrics``,
``/openapi.json``, ``/docs``) are a small FastAPI app; every other path goes straight to the pure
ASGI proxy, so the hot path pays for no routing, middleware stack or dependency injection.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from fitness_platform.app import unique_id
from fitness_platform.auth import verifier_from_settings
from fitness_platform.logging import configure_logging
from fitness_platform.middleware import RequestContextMiddleware
from fitness_platform.observability import setup_metrics, setup_tracing
from fitness_platform.problems import (
    PROBLEM_RESPONSES,
    install_problem_handlers,
    install_problem_openapi,
    problem_response,
)
from fitness_platform.redis import create_redis
from gateway.auth import Authenticator
from gateway.openapi import OpenAPIAggregator
from gateway.proxy import ProxyApp, ProxyConfig
from gateway.ratelimit import RateLimiter, rates_from_settings
from gateway.routes import GATEWAY_PATHS, RouteTable
from gateway.settings import GatewaySettings, get_settings

log = logging.getLogger("gateway")


class ReadyStatus(BaseModel):
    status: str
    checks: dict[str, str]
    upstreams: dict[str, str]


class LiveStatus(BaseModel):
    status: str


@dataclass
class Runtime:
    """What the lifespan builds and the request paths use."""

    proxy: ProxyApp | None = None
    aggregator: OpenAPIAggregator | None = None
    session: aiohttp.ClientSession | None = None
    redis: Any = None
    upstream_status: tuple[float, dict[str, str]] = field(default=(float("-inf"), {}))


class GatewayApp:
    """Dispatch: the gateway's own paths and lifespan to FastAPI, everything else to the proxy."""

    def __init__(self, api: FastAPI, runtime: Runtime) -> None:
        self.api = api
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in GATEWAY_PATHS:
            proxy = self.runtime.proxy
            if proxy is None:  # lifespan not run (yet): refuse rather than crash
                response = problem_response(503, detail="The gateway is starting.")
                await response(scope, receive, send)
                return
            await proxy(scope, receive, send)
            return
        await self.api(scope, receive, send)


def _session(settings: GatewaySettings) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        limit=settings.upstream_pool_size,
        # Shorter than uvicorn's 5 s keep-alive, so we rarely reuse a socket the upstream closed.
        keepalive_timeout=settings.upstream_keepalive_s,
        ttl_dns_cache=300,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.upstream_connect_timeout_s,
            sock_read=settings.upstream_timeout_s,
        ),
        auto_decompress=False,  # pass compressed bodies through untouched
        cookie_jar=aiohttp.DummyCookieJar(),  # never carry one user's cookies to another
        trust_env=False,
    )


async def _upstream_status(runtime: Runtime, settings: GatewaySettings) -> dict[str, str]:
    checked_at, status = runtime.upstream_status
    if time.monotonic() - checked_at < settings.upstream_health_cache_s:
        return status
    assert runtime.session is not None
    session = runtime.session
    timeout = aiohttp.ClientTimeout(total=1.0)

    async def probe(base: str) -> str:
        try:
            async with session.get(base.rstrip("/") + "/health/live", timeout=timeout) as resp:
                return "up" if resp.status == 200 else f"status {resp.status}"
        except (aiohttp.ClientError, TimeoutError):
            return "down"

    names = sorted(settings.upstreams)
    results = await asyncio.gather(*(probe(settings.upstreams[n]) for n in names))
    status = dict(zip(names, results, strict=True))
    runtime.upstream_status = (time.monotonic(), status)
    return status


def create_app(settings: GatewaySettings | None = None) -> GatewayApp:
    settings = settings or get_settings()
    configure_logging(settings.service_name, settings.log_level)
    table = RouteTable(settings.routes, settings.public_routes, settings.admin_prefix)
    runtime = Runtime()

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        session = _session(settings)
        redis = create_redis(
            settings.redis_url or "redis://127.0.0.1:6379/0",
            max_connections=settings.redis_max_connections,
            timeout=settings.redis_timeout_s,
            # Bound every call too: a hung Redis must not hang requests (denylist, limits).
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
        )
        runtime.session, runtime.redis = session, redis
        runtime.proxy = ProxyApp(
            config=ProxyConfig(
                upstreams=dict(settings.upstreams),
                max_body_bytes=settings.max_body_bytes,
                rates=rates_from_settings(settings),
                denylist_fail_open=settings.denylist_fail_open,
                tracing=tracing,
            ),
            table=table,
            session=session,
            authenticator=Authenticator(
                verifier_from_settings(settings), table, cache_ttl_s=settings.token_cache_s
            ),
            limiter=RateLimiter(redis, timeout_s=settings.redis_timeout_s),
        )
        runtime.aggregator = OpenAPIAggregator(
            session=session,
            upstreams=settings.upstreams,
            table=table,
            own=api.openapi,
            ttl=settings.openapi_cache_s,
            timeout=settings.openapi_fetch_timeout_s,
        )
        log.info("gateway started", extra={"upstreams": settings.upstreams})
        try:
            yield
        finally:
            runtime.proxy = None
            await session.close()
            await redis.aclose()

    api = FastAPI(
        title="Fitness API",
        version="0.1.0",
        description=(
            "The public API of the fitness backend, served through the gateway. "
            "Errors are RFC 9457 problem+json; rate limits answer 429 with `Retry-After`."
        ),
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=unique_id,
    )
    install_problem_handlers(api)
    install_problem_openapi(api)
    api.add_middleware(RequestContextMiddleware)

    @api.get("/health/live", tags=["health"], response_model=LiveStatus)
    async def live() -> LiveStatus:
        return LiveStatus(status="ok")

    @api.get(
        "/health/ready",
        tags=["health"],
        response_model=ReadyStatus,
        responses={503: {**PROBLEM_RESPONSES[500], "description": "Redis is unreachable"}},
    )
    async def ready() -> Any:
        """Ready when Redis answers; upstream status is reported but does not fail readiness
        (an upstream outage is answered per request with 503, not by pulling the gateway)."""
        upstreams = await _upstream_status(runtime, settings)
        try:
            await asyncio.wait_for(runtime.redis.ping(), settings.redis_timeout_s * 4)
        except Exception as exc:
            log.warning("readiness: redis unreachable", extra={"error": repr(exc)})
            return problem_response(
                503,
                detail="Not ready: redis",
                type_slug="not-ready",
                instance="/health/ready",
                extra={"failing": ["redis"], "upstreams": upstreams},
            )
        return ReadyStatus(status="ok", checks={"redis": "ok"}, upstreams=upstreams)

    @api.get("/openapi.json", include_in_schema=False)
    async def openapi() -> Response:
        assert runtime.aggregator is not None
        document = await runtime.aggregator.document()
        return Response(orjson.dumps(document), media_type="application/json")

    @api.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Fitness API — docs")

    setup_metrics(api)
    # True only when exporting over OTLP: then the proxy opens a real span per request.
    tracing = setup_tracing(api, settings)
    return GatewayApp(api, runtime)
