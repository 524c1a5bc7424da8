"""API process: ``uvicorn media.main:create_app --factory``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fitness_platform.app import create_service_app, default_ready_checks
from fitness_platform.health import Check
from media.assets.router import router as assets_router
from media.settings import MediaSettings, get_settings
from media.storage.store import ObjectStore

log = logging.getLogger(__name__)

DESCRIPTION = """Media assets: presigned uploads straight to S3 bounded by type and size,
confirmation by the object's size, type and first bytes, metadata with short-lived download URLs.
All routes need a bearer access token issued by identity."""


def create_app(settings: MediaSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    store = ObjectStore(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await store.ensure_bucket()
        except Exception:
            # Start anyway: /health/ready reports S3 and creates the bucket once it answers.
            log.warning("bucket not ensured at start", exc_info=True)
        yield

    def ready_checks(app: FastAPI) -> dict[str, Check]:
        return {**default_ready_checks(app), "s3": store.check}

    app = create_service_app(
        settings,
        title="Fitness media service",
        description=DESCRIPTION,
        routers=[assets_router],
        lifespan=lifespan,
        ready_checks=ready_checks,
        read_pool=True,
    )
    app.state.store = store
    return app
