"""/progress/summary: totals of a period from the weight log and the read models."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep
from fitness_platform.schemas import json_response
from progress.dependencies import AUTH_RESPONSES
from progress.domain.periods import PeriodName
from progress.summary import service
from progress.summary.schemas import Summary
from progress.validation import IsoDate

router = APIRouter(prefix="/progress/summary", tags=["summary"], responses=AUTH_RESPONSES)


@router.get("", response_model=Summary)
async def get_summary(
    user: CurrentUserDep,
    pool: ReadPoolDep,
    period: Annotated[
        PeriodName | None,
        Query(description="rolling window ending today (your timezone); default week"),
    ] = None,
    from_: Annotated[IsoDate | None, Query(alias="from", description="first day")] = None,
    to: Annotated[IsoDate | None, Query(description="last day")] = None,
) -> Response:
    """Workouts (count, minutes, kcal burned), intake (kcal eaten, days logged) and weight
    (start, end, change, trend change) over ``period`` or ``from``..``to``."""
    return json_response(
        await service.summarize(pool=pool, user_id=user.id, period=period, start=from_, end=to)
    )
