"""/nutrition/achievements/check and /nutrition/achievements."""

from __future__ import annotations

from fastapi import APIRouter

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from nutrition.achievements import service
from nutrition.achievements.schemas import AchievementCheckOut, AchievementOut
from nutrition.dependencies import AUTH_RESPONSES

router = APIRouter(
    prefix="/nutrition/achievements", tags=["achievements"], responses=AUTH_RESPONSES
)


@router.post("/check")
async def check_achievements(user: CurrentUserDep, session: SessionDep) -> AchievementCheckOut:
    """Evaluate the last completed week (Monday–Sunday in the user's timezone) from the diary;
    each achievement is stored once and emits nutrition.achievement.unlocked.v1 once."""
    return await service.check_last_week(session=session, user_id=user.id)


@router.get("")
async def list_achievements(
    user: CurrentUserDep, session: SessionDep, page: PageDep
) -> Page[AchievementOut]:
    return await service.list_achievements(session=session, user_id=user.id, params=page)
