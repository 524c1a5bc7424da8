"""API process: ``uvicorn nutrition.main:create_app --factory``."""

from __future__ import annotations

import inspect
import re

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from fitness_platform.app import create_service_app
from nutrition.achievements.router import router as achievements_router
from nutrition.calculations.router import router as calculations_router
from nutrition.diary.router import router as diary_router
from nutrition.foods.admin_router import router as admin_foods_router
from nutrition.foods.router import router as foods_router
from nutrition.meal_templates.router import router as meal_templates_router
from nutrition.plans.router import router as plans_router
from nutrition.settings import NutritionSettings, get_settings

DESCRIPTION = """Energy and macro targets, the food catalogue, food diary, meal suggestions,
personal plans and achievements. All routes need a bearer access token issued by identity."""


def _allow_every_method_of_the_path(app: FastAPI) -> None:
    """Starlette's 405 names only the first route matching the path (e.g. ``Allow: GET`` where
    GET and POST exist); answer with every method the OpenAPI document declares for it."""
    original = app.exception_handlers[StarletteHTTPException]
    table: list[tuple[re.Pattern[str], str]] = []

    def allowed(path: str) -> str | None:
        if not table:
            for template, operations in app.openapi()["paths"].items():
                pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
                methods = ", ".join(sorted(m.upper() for m in operations))
                table.append((re.compile(f"^{pattern}$"), methods))
        return next((methods for rx, methods in table if rx.match(path)), None)

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405 and (methods := allowed(request.url.path)):
            exc = StarletteHTTPException(405, headers={"Allow": methods})
        result = original(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(StarletteHTTPException, handler)


def create_app(settings: NutritionSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings,
        title="Fitness nutrition service",
        description=DESCRIPTION,
        routers=[
            calculations_router,
            foods_router,
            diary_router,
            plans_router,
            achievements_router,
            admin_foods_router,
            meal_templates_router,
        ],
    )
    _allow_every_method_of_the_path(app)
    return app
