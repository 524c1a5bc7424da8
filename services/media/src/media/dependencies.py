"""Service-wide dependency aliases (settings, object store) and the routes' common problem docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitness_platform.problems import problem_responses
from media.settings import MediaSettings
from media.storage.store import ObjectStore


async def get_app_settings(request: Request) -> MediaSettings:
    settings: MediaSettings = request.app.state.settings
    return settings


async def get_store(request: Request) -> ObjectStore:
    store: ObjectStore = request.app.state.store
    return store


SettingsDep = Annotated[MediaSettings, Depends(get_app_settings)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]

# Every authenticated route can answer these (400 = malformed JSON body).
AUTH_RESPONSES = problem_responses(400, 401, 422)
