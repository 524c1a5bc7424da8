"""/goals: create, list, read, change and delete the caller's goals."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep, SessionDep
from fitness_platform.pagination import PageDep
from fitness_platform.problems import NotFound, problem_responses
from fitness_platform.schemas import json_response
from fitness_platform.sync import SYNC_RESPONSES, Changes, SyncPage, UpdatedSinceDep
from goals.dependencies import AUTH_RESPONSES
from goals.goals import service
from goals.goals.dependencies import NO_SUCH_GOAL, GoalForUpdateDep
from goals.goals.schemas import GoalIn, GoalOut, GoalPatch, GoalStatus, GoalType

router = APIRouter(prefix="/goals", tags=["goals"], responses=AUTH_RESPONSES)


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(409))
async def create_goal(
    body: Annotated[GoalIn, Body()], user: CurrentUserDep, session: SessionDep, response: Response
) -> GoalOut:
    """A goal of one of four types; a second active weight target is a 409. Emits
    goals.goal.created.v1."""
    goal = await service.create_goal(session=session, user_id=user.id, data=body)
    response.headers["Location"] = f"/goals/{goal.id}"
    return goal


@router.get("", response_model=SyncPage[GoalOut] | Changes[GoalOut], responses=SYNC_RESPONSES)
async def list_goals(
    user: CurrentUserDep,
    pool: ReadPoolDep,
    page: PageDep,
    since: UpdatedSinceDep,
    status: Annotated[GoalStatus | None, Query()] = None,
    type: Annotated[GoalType | None, Query()] = None,
) -> Response:
    """Newest first, optionally filtered by status and type, with a sync `cursor`. With
    `updatedSince`: the goals written since then (progress re-evaluations included), the ids
    deleted since then and the next `cursor`, `limit` changes a call (no `status`/`type`;
    `page` is ignored)."""
    return json_response(
        await service.list_goals(
            pool=pool, user_id=user.id, params=page, status=status, goal_type=type, since=since
        )
    )


@router.get("/{goal_id:uuid}", response_model=GoalOut, responses=problem_responses(404))
async def get_goal(goal_id: UUID, user: CurrentUserDep, pool: ReadPoolDep) -> Response:
    goal = await service.read_goal(pool=pool, user_id=user.id, goal_id=goal_id)
    if goal is None:
        raise NotFound(NO_SUCH_GOAL)
    return json_response(goal)


@router.patch("/{goal_id:uuid}", responses=problem_responses(404, 409))
async def update_goal(body: GoalPatch, goal: GoalForUpdateDep, session: SessionDep) -> GoalOut:
    """Title, dates, target (the field of the goal's type) and status. Legal status changes:
    active → paused/completed/abandoned, paused → active/abandoned; anything else is a 409.
    Emits goals.goal.updated.v1 when something changed."""
    return await service.update_goal(session=session, goal=goal, data=body)


@router.delete(
    "/{goal_id:uuid}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
async def delete_goal(goal: GoalForUpdateDep, session: SessionDep) -> Response:
    """Emits goals.goal.deleted.v1; another user's goal is a 404."""
    await service.delete_goal(session=session, goal=goal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
