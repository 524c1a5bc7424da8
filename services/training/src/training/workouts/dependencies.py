"""Validating dependencies of the workout routes: the workout *of this user* or 404."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep
from fitness_platform.problems import NotFound
from training.workouts import service
from training.workouts.schemas import WorkoutOut


async def valid_workout(workout_id: UUID, user: CurrentUserDep, pool: ReadPoolDep) -> WorkoutOut:
    """Another user's workout id is a 404, exactly like an unknown one (no existence oracle)."""
    workout = await service.get_workout(pool=pool, user_id=user.id, workout_id=workout_id)
    if workout is None:
        raise NotFound("No such workout.")
    return workout


ValidWorkoutDep = Annotated[WorkoutOut, Depends(valid_workout)]
