"""Use cases of the catalogue: search, and resolving a request's exercise ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.pagination import Page, PageParams
from fitness_platform.problems import ProblemError
from training.exercises import repository
from training.exercises.models import Exercise
from training.exercises.schemas import ExerciseOut


async def search(
    *, session: AsyncSession, q: str | None, category: str | None, params: PageParams
) -> Page[ExerciseOut]:
    rows, total = await repository.search(
        session, q=q, category=category, offset=params.offset, limit=params.limit
    )
    return Page[ExerciseOut].of([ExerciseOut.model_validate(r) for r in rows], params, total)


async def get_known(
    session: AsyncSession, ids: Sequence[int], *, path: Callable[[int], str]
) -> dict[int, Exercise]:
    """The catalogue rows for ``ids``; a 422 naming each unknown id's field otherwise."""
    found = await repository.get_many(session, ids)
    unknown = [i for i, exercise_id in enumerate(ids) if exercise_id not in found]
    if unknown:
        raise ProblemError(
            422,
            detail="Unknown exercise id(s): "
            + ", ".join(str(ids[i]) for i in unknown)
            + " (see GET /exercises).",
            extra={
                "errors": [
                    {"path": path(i), "message": "unknown exercise", "type": "unknown_exercise"}
                    for i in unknown
                ]
            },
        )
    return found
