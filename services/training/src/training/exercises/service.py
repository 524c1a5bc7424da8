"""Use cases of the catalogue: search, and resolving a request's exercise ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import orjson
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.pagination import PageParams
from fitness_platform.problems import ProblemError
from training.exercises import repository
from training.exercises.models import Exercise


async def search_json(
    *, pool: AsyncConnectionPool, q: str | None, category: str | None, params: PageParams
) -> bytes:
    """``Page[ExerciseOut]`` as JSON straight from the read pool's rows (seeded data)."""
    rows, total = await repository.search(
        pool, q=q, category=category, offset=params.offset, limit=params.limit
    )
    return orjson.dumps(
        {
            "items": [dict(zip(repository.SEARCH_FIELDS, r, strict=True)) for r in rows],
            "page": params.page,
            "limit": params.limit,
            "total": total,
        }
    )


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
