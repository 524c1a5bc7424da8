"""API process: ``uvicorn progress.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fitness_platform.app import create_service_app, default_ready_checks
from fitness_platform.health import Check
from progress.insights.router import router as insights_router
from progress.reports.router import router as reports_router
from progress.settings import ProgressSettings, get_settings
from progress.storage import ChartStore
from progress.summary.router import router as summary_router
from progress.weights.router import router as weights_router

DESCRIPTION = """Weight log with trend, period summaries, weekly reports with a rendered chart,
analysis findings and a Hall-model weight forecast. All routes need a bearer access token issued
by identity."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    store = ChartStore(app.state.settings)
    await store.ensure_bucket()
    app.state.chart_store = store
    yield


def ready_checks(app: FastAPI) -> dict[str, Check]:
    """The platform's checks plus S3: reports and erasure cannot work without it."""

    async def s3() -> None:
        await app.state.chart_store.check()

    return {**default_ready_checks(app), "s3": s3}


def create_app(settings: ProgressSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    return create_service_app(
        settings,
        title="Fitness progress service",
        description=DESCRIPTION,
        routers=[weights_router, summary_router, insights_router, reports_router],
        lifespan=lifespan,
        ready_checks=ready_checks,
        read_pool=True,
    )
