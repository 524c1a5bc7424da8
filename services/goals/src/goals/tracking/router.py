"""/goals/evaluate, /goals/auto-update, /goals/streak: progress computed from the read models."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.problems import problem_responses
from goals.dependencies import AUTH_RESPONSES
from goals.tracking import service
from goals.tracking.schemas import AutoUpdateOut, EvaluationsOut, StreakIn, StreaksOut

router = APIRouter(prefix="/goals", tags=["progress"], responses=AUTH_RESPONSES)


@router.post("/evaluate")
async def evaluate(user: CurrentUserDep, session: SessionDep) -> EvaluationsOut:
    """Every active goal with current, target, progress, achieved, on track and the evidence
    (trend weight, workouts/minutes/days this week), from the events received so far. Stores
    nothing: POST /goals/auto-update applies the result."""
    return await service.evaluate_goals(session=session, user_id=user.id)


@router.post("/auto-update")
async def auto_update(user: CurrentUserDep, session: SessionDep) -> AutoUpdateOut:
    """Store progress; complete goals reached (goals.goal.achieved.v1, once per goal). The
    consumer does the same on each relevant event; re-running changes nothing."""
    return await service.auto_update(session=session, user_id=user.id)


@router.post("/streak", responses=problem_responses(404))
async def streak(
    user: CurrentUserDep,
    session: SessionDep,
    body: Annotated[StreakIn | None, Body()] = None,
) -> StreaksOut:
    """Current and longest run of successful days (calorie adherence) or ISO weeks (weekly
    goals) in the user's timezone. Only ended periods are judged: today/this week is in
    progress, never a break."""
    goal_id = body.goal_id if body is not None else None
    return await service.streaks(session=session, user_id=user.id, goal_id=goal_id)
