"""``create_service_app``: the one FastAPI factory every service uses."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from fitness_platform.db import create_engine, create_read_pool, create_sessionmaker
from fitness_platform.health import (
    Check,
    db_check,
    health_router,
    kafka_check,
    read_pool_check,
    redis_check,
)
from fitness_platform.logging import configure_logging
from fitness_platform.middleware import RequestContextMiddleware
from fitness_platform.observability import expose_metrics, setup_tracing
from fitness_platform.problems import (
    PROBLEM_RESPONSES,
    install_problem_handlers,
    install_problem_openapi,
)
from fitness_platform.redis import create_redis
from fitness_platform.settings import ServiceSettings
from fitness_platform.sync_openapi import install_sync_safety_openapi
from fitness_platform.sync_safety import SyncSafetyMiddleware

log = logging.getLogger("fitness_platform.app")

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
ReadyChecks = Callable[[FastAPI], Mapping[str, Check]]


def unique_id(route: APIRoute) -> str:
    """``"{tag}-{name}"``: operation ids that generate readable client code."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def default_ready_checks(app: FastAPI) -> dict[str, Check]:
    settings: ServiceSettings = app.state.settings
    checks: dict[str, Check] = {}
    if getattr(app.state, "engine", None) is not None:
        checks["db"] = db_check(app.state.engine)
    if getattr(app.state, "read_pool", None) is not None:
        checks["db_read"] = read_pool_check(app.state.read_pool)
    if getattr(app.state, "redis", None) is not None:
        checks["redis"] = redis_check(app.state.redis)
    if settings.kafka_bootstrap_servers:
        checks["kafka"] = kafka_check(settings.kafka_bootstrap_servers)
    return checks


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    lifespan: Lifespan | None = None,
    ready_checks: ReadyChecks | Mapping[str, Check] | None = default_ready_checks,
    version: str = "0.1.0",
    description: str = "",
    servers: list[dict[str, Any]] | None = None,
    configure_logs: bool = True,
    tracing: bool = True,
    database: bool = True,
    read_pool: bool = False,
) -> FastAPI:
    """Build a service app.

    The lifespan puts ``settings``, ``engine``, ``sessionmaker`` and ``redis`` on ``app.state``
    (disposed on shutdown), then runs the service's own ``lifespan`` inside. ``ready_checks`` is
    a mapping or a function of the app called at startup; ``None`` means liveness only.
    ``database=False`` (a process without a DB, e.g. the gateway): no engine is created,
    ``app.state.engine``/``sessionmaker`` are None and the default ready checks skip the DB.
    ``read_pool=True`` also opens ``app.state.read_pool`` (``fitness_platform.db.ReadPoolDep``),
    a plain psycopg pool for hot read paths.
    """
    if configure_logs:
        configure_logging(settings.service_name, settings.log_level)

    @asynccontextmanager
    async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = create_engine(settings) if database else None
        app.state.sessionmaker = (
            create_sessionmaker(app.state.engine) if app.state.engine is not None else None
        )
        app.state.read_pool = create_read_pool(settings) if database and read_pool else None
        if app.state.read_pool is not None:
            # No wait: like the engine, connect on demand; a DB that is down shows in /health/ready.
            await app.state.read_pool.open(wait=False)
        app.state.redis = (
            create_redis(
                settings.redis_url,
                max_connections=settings.redis_max_connections,
                socket_timeout=settings.redis_timeout_s,
                socket_connect_timeout=settings.redis_timeout_s,
            )
            if settings.redis_url
            else None
        )
        if ready_checks is None:
            checks.clear()
        elif callable(ready_checks):
            checks.update(ready_checks(app))
        else:
            checks.update(ready_checks)
        try:
            if lifespan is not None:
                async with lifespan(app):
                    yield
            else:
                yield
        finally:
            if app.state.redis is not None:
                await app.state.redis.aclose()
            if app.state.read_pool is not None:
                await app.state.read_pool.close()
            if app.state.engine is not None:
                await app.state.engine.dispose()

    app = FastAPI(
        title=title,
        version=version,
        description=description,
        lifespan=_lifespan,
        generate_unique_id_function=unique_id,
        responses={500: PROBLEM_RESPONSES[500], 503: PROBLEM_RESPONSES[503]},
        servers=servers,
        # FastAPI's native OpenTelemetry asks the global tracer, meter and logger providers on
        # every request whether to run (three environment lookups, ~3 % of a cheap request);
        # when exporting, ``setup_tracing`` instruments the app instead (FastAPI then skips its
        # own spans anyway), so it is off.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    install_problem_handlers(app)
    install_problem_openapi(app)
    install_sync_safety_openapi(app)
    # Idempotency-Key, ETags and If-Match for every route; added first, so it runs inside the
    # context layer (body limit, correlation id and access log cover it).
    app.add_middleware(
        SyncSafetyMiddleware,
        service=settings.service_name,
        idempotency_ttl_s=settings.idempotency_ttl_s,
        idempotency_lock_s=settings.idempotency_lock_s,
        write_lock_ttl_s=settings.write_lock_ttl_s,
        write_lock_wait_s=settings.write_lock_wait_s,
    )
    # One layer: context, the body limit and the HTTP metrics (each layer costs every request).
    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=settings.max_body_bytes, record_metrics=True
    )

    # Filled at startup, when engine/redis exist; the router reads the same dict.
    checks: dict[str, Check] = {}
    app.include_router(health_router(checks))
    for router in routers:
        app.include_router(router)
    expose_metrics(app)
    if tracing:
        setup_tracing(app, settings)
    return app
