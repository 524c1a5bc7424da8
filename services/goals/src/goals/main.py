"""API process: ``uvicorn goals.main:create_app --factory``."""

from __future__ import annotations

from fastapi import FastAPI

from fitness_platform.app import create_service_app
from goals.goals.router import router as goals_router
from goals.settings import GoalsSettings, get_settings
from goals.tracking.router import router as tracking_router

DESCRIPTION = """Goals (weight target, workouts per week, weekly active minutes, calorie
adherence), their evaluation from other services' events, auto-progress and timezone-aware
streaks. All routes need a bearer access token issued by identity."""


def create_app(settings: GoalsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # tracking first: POST /goals/evaluate etc. are fixed paths next to /goals/{goal_id}.
    return create_service_app(
        settings,
        title="Fitness goals service",
        description=DESCRIPTION,
        routers=[tracking_router, goals_router],
        read_pool=True,
    )
