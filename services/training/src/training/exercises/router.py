"""/exercises: the exercise catalogue (Compendium of Physical Activities 2011 METs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from training.dependencies import AUTH_RESPONSES
from training.exercises import service
from training.exercises.schemas import Category, ExerciseOut
from training.validation import SearchText

router = APIRouter(prefix="/exercises", tags=["exercises"], responses=AUTH_RESPONSES)


@router.get("")
async def list_exercises(
    user: CurrentUserDep,
    session: SessionDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query(description="words the name contains (all)")] = None,
    category: Annotated[Category | None, Query()] = None,
) -> Page[ExerciseOut]:
    """The catalogue by name; each exercise with its Compendium code, MET and edition."""
    return await service.search(session=session, q=q or None, category=category, params=page)
