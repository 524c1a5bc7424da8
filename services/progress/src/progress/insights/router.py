"""/progress/analyze and /progress/forecast: computed on request from the user's history."""

from __future__ import annotations

from fastapi import APIRouter, Response

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.problems import problem_responses
from fitness_platform.schemas import json_response
from progress.dependencies import AUTH_RESPONSES
from progress.insights import service
from progress.insights.schemas import AnalysisOut, AnalyzeIn, ForecastIn, ForecastOut

router = APIRouter(prefix="/progress", tags=["insights"], responses=AUTH_RESPONSES)


@router.post("/analyze")
async def analyze(
    user: CurrentUserDep, session: SessionDep, body: AnalyzeIn | None = None
) -> AnalysisOut:
    """Findings with stable codes and their evidence over ``from``..``to`` (default: the last
    28 days): losing too fast, gaining while the goal is to lose, plateau, intake vs target on
    most days, too little data to judge."""
    return await service.analyze(session=session, user_id=user.id, data=body or AnalyzeIn())


@router.post("/forecast", response_model=ForecastOut, responses=problem_responses(409))
async def forecast(user: CurrentUserDep, session: SessionDep, body: ForecastIn) -> Response:
    """Expected weight with an 80 % band from the Hall et al. 2011 dynamic model (glycogen and
    extracellular fluid included). The band comes from the uncertainty of your adaptive TDEE once
    14 days of weigh-ins and intake exist, else from a documented prior (``uncertainty``).
    409 when the profile lacks sex, birth date or height."""
    return json_response(await service.run_forecast(session=session, user_id=user.id, data=body))
