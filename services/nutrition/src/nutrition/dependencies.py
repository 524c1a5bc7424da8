"""Service-wide dependency aliases (settings, Redis) and the routes' common problem docs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from fitness_platform.problems import problem_responses
from nutrition.settings import NutritionSettings


async def get_app_settings(request: Request) -> NutritionSettings:
    settings: NutritionSettings = request.app.state.settings
    return settings


async def get_redis(request: Request) -> Any:
    return getattr(request.app.state, "redis", None)


SettingsDep = Annotated[NutritionSettings, Depends(get_app_settings)]
RedisDep = Annotated[Any, Depends(get_redis)]

# Every authenticated route can answer these (400 = malformed JSON body).
AUTH_RESPONSES = problem_responses(400, 401, 422)
# Admin routes additionally answer 403 to non-admins.
ADMIN_RESPONSES = problem_responses(400, 401, 403, 422)
