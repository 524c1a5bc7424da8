"""/workouts: log, list (newest first), read, replace and delete the user's workouts."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep, SessionDep
from fitness_platform.pagination import PageDep
from fitness_platform.problems import NotFound, problem_responses
from fitness_platform.sync import SYNC_RESPONSES, Changes, SyncPage, UpdatedSinceDep
from training.dependencies import AUTH_RESPONSES
from training.validation import IsoDate, SearchText
from training.workouts import service
from training.workouts.dependencies import ValidWorkoutJsonDep
from training.workouts.schemas import WorkoutIn, WorkoutOut

router = APIRouter(prefix="/workouts", tags=["workouts"], responses=AUTH_RESPONSES)


@router.post("", status_code=status.HTTP_201_CREATED)
async def log_workout(
    body: WorkoutIn, user: CurrentUserDep, session: SessionDep, response: Response
) -> WorkoutOut:
    """Log a workout. Without `caloriesBurned` the calories are estimated: Σ MET × weightKg ×
    hours over the exercises (1 MET = 1 kcal/kg/h, Ainsworth 2011), with the user's weight on
    the workout's local day (latest weigh-in on or before it, else the profile weight, else
    70 kg); exercises without `durationMin` share the rest of the workout's duration equally.
    Unknown `exerciseId` → 422. Emits training.workout.created.v1."""
    workout = await service.create(session=session, user_id=user.id, data=body)
    response.headers["Location"] = f"/workouts/{workout.id}"
    return workout


@router.get("", response_model=SyncPage[WorkoutOut] | Changes[WorkoutOut], responses=SYNC_RESPONSES)
async def list_workouts(
    user: CurrentUserDep,
    pool: ReadPoolDep,
    page: PageDep,
    since: UpdatedSinceDep,
    start: Annotated[
        IsoDate | None,
        Query(alias="from", description="first local day (YYYY-MM-DD), inclusive"),
    ] = None,
    end: Annotated[
        IsoDate | None, Query(alias="to", description="last local day (YYYY-MM-DD), inclusive")
    ] = None,
    q: Annotated[SearchText | None, Query(description="text the title contains")] = None,
) -> Response:
    """The user's workouts, newest first, with a `cursor`. With `updatedSince` (a previous
    `cursor`): the workouts written since then, the ids deleted since then and the next
    `cursor`, `limit` changes a call (no `from`/`to`/`q`; `page` is ignored)."""
    body = await service.list_workouts_json(
        pool=pool, user_id=user.id, start=start, end=end, q=q or None, params=page, since=since
    )
    return Response(body, media_type="application/json")


@router.get("/{workout_id:uuid}", response_model=WorkoutOut, responses=problem_responses(404))
async def get_workout(workout: ValidWorkoutJsonDep) -> Response:
    """Another user's workout id is 404, like an unknown one."""
    return Response(workout, media_type="application/json")


@router.put("/{workout_id:uuid}", responses=problem_responses(404))
async def replace_workout(
    workout_id: UUID, body: WorkoutIn, user: CurrentUserDep, session: SessionDep
) -> WorkoutOut:
    """Replace the whole workout and estimate it afresh; emits training.workout.updated.v1
    (reason `edited`)."""
    workout = await service.replace(
        session=session, user_id=user.id, workout_id=workout_id, data=body
    )
    if workout is None:
        raise NotFound("No such workout.")
    return workout


@router.delete(
    "/{workout_id:uuid}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
async def delete_workout(workout_id: UUID, user: CurrentUserDep, session: SessionDep) -> Response:
    """Emits training.workout.deleted.v1."""
    if not await service.delete(session=session, user_id=user.id, workout_id=workout_id):
        raise NotFound("No such workout.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
