"""HTTP endpoints of /users (the profile endpoints come with the profile issue)."""

from __future__ import annotations

from fastapi import APIRouter

from fitness_platform.db import SessionDep
from fitness_platform.problems import NotFound, problem_responses
from identity.auth.dependencies import CurrentSessionDep
from identity.users import repository
from identity.users.models import UserStatus
from identity.users.schemas import UserPublic

router = APIRouter(prefix="/users", tags=["users"])


@router.get(
    "/me",
    response_model=UserPublic,
    responses=problem_responses(401, 404, 429),
    summary="The signed-in user's account",
)
async def me(current: CurrentSessionDep, session: SessionDep) -> UserPublic:
    user = await repository.get_by_id(session, current.user_id)
    if user is None or user.status == UserStatus.DELETED:
        raise NotFound("No such user.")
    return UserPublic.model_validate(user)
