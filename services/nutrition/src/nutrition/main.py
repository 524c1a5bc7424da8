"""API process: ``uvicorn nutrition.main:create_app --factory``."""

from __future__ import annotations

from fastapi import FastAPI

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
        # GET /nutrition/me reads on the plain psycopg pool (fitness_platform.db.ReadPoolDep).
        read_pool=True,
    )
    return app
