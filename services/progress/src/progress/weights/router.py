"""/progress/weight: the weight log (one entry per local day), listed with the trend."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep, SessionDep
from fitness_platform.pagination import PageDep
from fitness_platform.problems import NotFound, problem_responses
from fitness_platform.schemas import json_response
from fitness_platform.sync import SYNC_RESPONSES, Changes, SyncPage, UpdatedSinceDep
from progress.dependencies import AUTH_RESPONSES
from progress.validation import IsoDate
from progress.weights import service
from progress.weights.schemas import WeightIn, WeightOut

router = APIRouter(prefix="/progress/weight", tags=["weight"], responses=AUTH_RESPONSES)

DayPath = Annotated[IsoDate, Path(description="the local day, YYYY-MM-DD")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": WeightOut, "description": "the day's entry was replaced"}},
)
async def record_weight(
    body: WeightIn, user: CurrentUserDep, session: SessionDep, response: Response
) -> WeightOut:
    """One entry per day: the first is 201, the same day again replaces it (200), so two devices
    syncing one day converge. Emits progress.weight.recorded.v1."""
    entry, created = await service.record(session=session, user_id=user.id, data=body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"/progress/weight/{entry.day.isoformat()}"
    return entry


@router.get("", response_model=SyncPage[WeightOut] | Changes[WeightOut], responses=SYNC_RESPONSES)
async def list_weights(
    user: CurrentUserDep,
    pool: ReadPoolDep,
    page: PageDep,
    since: UpdatedSinceDep,
    from_: Annotated[IsoDate | None, Query(alias="from", description="first day")] = None,
    to: Annotated[IsoDate | None, Query(description="last day")] = None,
) -> Response:
    """Entries in date order, each with its trend weight beside the raw value, and a sync
    `cursor`. With `updatedSince`: the entries written since then (a trend rewritten by an
    earlier day's change counts), the days (`YYYY-MM-DD`) deleted since then and the next
    `cursor`, `limit` changes a call (no `from`/`to`; `page` is ignored)."""
    return json_response(
        await service.list_range(
            pool=pool, user_id=user.id, start=from_, end=to, page=page, since=since
        )
    )


@router.get("/{day}", responses=problem_responses(404))
async def get_weight(day: DayPath, user: CurrentUserDep, session: SessionDep) -> WeightOut:
    entry = await service.get(session=session, user_id=user.id, day=day)
    if entry is None:
        raise NotFound("No weigh-in on that day.")
    return entry


@router.delete("/{day}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404))
async def delete_weight(day: DayPath, user: CurrentUserDep, session: SessionDep) -> Response:
    """Emits progress.weight.deleted.v1; later days' trend is recomputed."""
    if not await service.delete(session=session, user_id=user.id, day=day):
        raise NotFound("No weigh-in on that day.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
