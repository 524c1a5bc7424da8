"""Validating dependencies of the workout routes: the workout *of this user* or 404."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep
from fitness_platform.problems import NotFound
from training.workouts import service


async def valid_workout_json(workout_id: UUID, user: CurrentUserDep, pool: ReadPoolDep) -> bytes:
    """The user's workout as JSON (lean read path). Another user's workout id is a 404, exactly
    like an unknown one (no existence oracle)."""
    body = await service.get_workout_json(pool=pool, user_id=user.id, workout_id=workout_id)
    if body is None:
        raise NotFound("No such workout.")
    return body


ValidWorkoutJsonDep = Annotated[bytes, Depends(valid_workout_json)]
