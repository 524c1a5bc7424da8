"""API process: ``uvicorn training.main:create_app --factory``."""

from __future__ import annotations

from fastapi import FastAPI

from fitness_platform.app import create_service_app
from training.exercises.router import router as exercises_router
from training.settings import TrainingSettings, get_settings
from training.templates.admin_router import router as admin_templates_router
from training.templates.router import router as templates_router
from training.workouts.router import router as workouts_router

DESCRIPTION = """Workouts with calorie estimates from Compendium of Physical Activities METs
and the user's weight on the workout's day, the exercise catalogue, and workout templates.
All routes need a bearer access token issued by identity."""


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    return create_service_app(
        settings,
        title="Fitness training service",
        description=DESCRIPTION,
        # /workouts/template before /workouts/{workout_id}: "template" is not a workout id.
        routers=[exercises_router, templates_router, workouts_router, admin_templates_router],
        read_pool=True,
    )
