"""/workouts/template: predefined plans with an estimate for the caller, and starting one."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from fitness_platform.problems import NotFound, problem_responses
from training.dependencies import AUTH_RESPONSES
from training.templates import service
from training.templates.schemas import Goal, Level, WorkoutTemplateOut
from training.workouts.schemas import StartTemplateIn, WorkoutOut

router = APIRouter(
    prefix="/workouts/template", tags=["workout-templates"], responses=AUTH_RESPONSES
)


@router.get("")
async def list_workout_templates(
    user: CurrentUserDep,
    session: SessionDep,
    page: PageDep,
    level: Annotated[Level | None, Query()] = None,
    goal: Annotated[Goal | None, Query()] = None,
) -> Page[WorkoutTemplateOut]:
    """Predefined plans by name: level, goal, exercises with sets/reps/durations, and the
    estimated duration and kcal for the caller's current weight (latest weigh-in, else the
    profile weight, else 70 kg)."""
    return await service.list_templates(
        session=session, user_id=user.id, level=level, goal=goal, params=page
    )


@router.get("/{template_id}", responses=problem_responses(404))
async def get_workout_template(
    template_id: UUID, user: CurrentUserDep, session: SessionDep
) -> WorkoutTemplateOut:
    template = await service.get_template(session=session, user_id=user.id, template_id=template_id)
    if template is None:
        raise NotFound("No such workout template.")
    return template


@router.post(
    "/{template_id}/start", status_code=status.HTTP_201_CREATED, responses=problem_responses(404)
)
async def start_workout_template(
    template_id: UUID,
    user: CurrentUserDep,
    session: SessionDep,
    response: Response,
    body: StartTemplateIn | None = None,
) -> WorkoutOut:
    """Log a workout from the template (its duration and exercises; title and start time
    optional, default the template's name and now). Same as POST /workouts with that body."""
    workout = await service.start(
        session=session, user_id=user.id, template_id=template_id, data=body
    )
    if workout is None:
        raise NotFound("No such workout template.")
    response.headers["Location"] = f"/workouts/{workout.id}"
    return workout
