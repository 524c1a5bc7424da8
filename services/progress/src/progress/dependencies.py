"""Service-wide dependency aliases and the routes' common problem docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel

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


def json_response(model: BaseModel) -> Response:
    """The hot reads' response: serialised once by pydantic in Rust. Returning the model would
    make FastAPI dump it, validate the dump against the response model again and serialise
    that; the route still declares ``response_model`` for the OpenAPI document."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")
