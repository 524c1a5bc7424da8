"""Validating dependencies: a goal is loaded for its owner or the request is a 404."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.problems import NotFound
from goals.goals import repository
from goals.goals.models import Goal

NO_SUCH_GOAL = "No such goal."


async def valid_goal_for_update(goal_id: UUID, user: CurrentUserDep, session: SessionDep) -> Goal:
    """The caller's goal, row-locked for the write; another user's id is 404 like an unknown."""
    goal = await repository.get_for_update(session, goal_id=goal_id, user_id=user.id)
    if goal is None:
        raise NotFound(NO_SUCH_GOAL)
    return goal


GoalForUpdateDep = Annotated[Goal, Depends(valid_goal_for_update)]
