"""Liveness and readiness endpoints (DESIGN §8)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from fitness_platform.db import recheck_read_pool
from fitness_platform.problems import PROBLEM_RESPONSES, problem_response

if TYPE_CHECKING:
    from psycopg_pool import AsyncConnectionPool
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncEngine

Check = Callable[[], Awaitable[None]]
log = logging.getLogger("fitness_platform.health")


class HealthStatus(BaseModel):
    status: str
    checks: dict[str, str] = {}


def health_router(checks: Mapping[str, Check], *, timeout_s: float = 2.0) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live", response_model=HealthStatus)
    async def live() -> HealthStatus:
        return HealthStatus(status="ok")

    @router.get(
        "/ready",
        response_model=HealthStatus,
        responses={503: {**PROBLEM_RESPONSES[500], "description": "A dependency is down"}},
    )
    async def ready() -> Any:
        names = list(checks)
        results = await asyncio.gather(
            *(asyncio.wait_for(checks[n](), timeout_s) for n in names), return_exceptions=True
        )
        failing = [n for n, r in zip(names, results, strict=True) if isinstance(r, BaseException)]
        for name, result in zip(names, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("readiness check failed", extra={"check": name, "error": repr(result)})
        if failing:
            return problem_response(
                503,
                detail="Not ready: " + ", ".join(failing),
                type_slug="not-ready",
                instance="/health/ready",
                extra={"failing": failing},
            )
        return HealthStatus(status="ok", checks={n: "ok" for n in names})

    return router


def db_check(engine: AsyncEngine) -> Check:
    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


def read_pool_check(pool: AsyncConnectionPool) -> Check:
    """The lean read pool answers, after dropping the idle connections a database restart broke
    (``fitness_platform.db.recheck_read_pool``): ready means no request draws a dead one."""

    async def check() -> None:
        await recheck_read_pool(pool)
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")

    return check


def redis_check(redis: Redis) -> Check:
    async def check() -> None:
        await redis.ping()

    return check


def kafka_check(bootstrap_servers: str, *, cache_s: float = 10.0) -> Check:
    """Cheap broker check: a metadata request, its success cached for ``cache_s`` seconds."""
    state: dict[str, float] = {"ok_until": 0.0}
    lock = asyncio.Lock()

    async def check() -> None:
        if time.monotonic() < state["ok_until"]:
            return
        async with lock:
            if time.monotonic() < state["ok_until"]:
                return
            from aiokafka.admin import AIOKafkaAdminClient

            admin = AIOKafkaAdminClient(
                bootstrap_servers=bootstrap_servers, request_timeout_ms=2000
            )
            try:
                await admin.start()
                await admin.describe_cluster()
            finally:
                await admin.close()
            state["ok_until"] = time.monotonic() + cache_s

    return check
