"""Service-wide dependency aliases and the routes' common problem docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitness_platform.problems import problem_responses
from progress.settings import ProgressSettings
from progress.storage import ChartStore


async def get_app_settings(request: Request) -> ProgressSettings:
    settings: ProgressSettings = request.app.state.settings
    return settings


async def get_chart_store(request: Request) -> ChartStore:
    store: ChartStore = request.app.state.chart_store
    return store


SettingsDep = Annotated[ProgressSettings, Depends(get_app_settings)]
ChartStoreDep = Annotated[ChartStore, Depends(get_chart_store)]

# Every authenticated route can answer these (400 = malformed JSON body).
AUTH_RESPONSES = problem_responses(400, 401, 422)
