"""/exercises: the exercise catalogue (Compendium of Physical Activities 2011 METs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep
from fitness_platform.pagination import Page, PageDep
from training.dependencies import AUTH_RESPONSES
from training.exercises import service
from training.exercises.schemas import Category, ExerciseOut
from training.validation import SearchText

router = APIRouter(prefix="/exercises", tags=["exercises"], responses=AUTH_RESPONSES)


@router.get("", response_model=Page[ExerciseOut])
async def list_exercises(
    user: CurrentUserDep,
    pool: ReadPoolDep,
    page: PageDep,
    q: Annotated[SearchText | None, Query(description="words the name contains (all)")] = None,
    category: Annotated[Category | None, Query()] = None,
) -> Response:
    """The catalogue by name; each exercise with its Compendium code, MET and edition."""
    body = await service.search_json(pool=pool, q=q or None, category=category, params=page)
    return Response(body, media_type="application/json")
