"""/nutrition/diary: log what was eaten, read a day against the targets, delete an entry."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep, SessionDep
from fitness_platform.pagination import PageDep
from fitness_platform.problems import NotFound, problem_responses
from fitness_platform.sync import (
    SYNC_RESPONSES,
    Changes,
    UpdatedSinceDep,
    current_cursor,
    no_filters_with_delta,
)
from nutrition.dependencies import AUTH_RESPONSES
from nutrition.diary import service
from nutrition.diary.schemas import DiaryDay, DiaryEntryIn, DiaryEntryOut
from nutrition.validation import IsoDate

router = APIRouter(prefix="/nutrition/diary", tags=["diary"], responses=AUTH_RESPONSES)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DiaryEntryOut)
async def log_food(body: DiaryEntryIn, user: CurrentUserDep, session: SessionDep) -> Response:
    """Log a catalogue food (nutrients snapshotted now) or a custom item; emits
    nutrition.intake.logged.v1 with the day's new totals."""
    entry = await service.log_entry(session=session, user_id=user.id, data=body)
    # Serialised once here (FastAPI would validate the model again, then serialise it).
    return Response(
        entry.model_dump_json(by_alias=True),
        status_code=status.HTTP_201_CREATED,
        media_type="application/json",
        headers={"Location": f"/nutrition/diary/{entry.id}"},
    )


@router.get("", responses=SYNC_RESPONSES)
async def read_day(
    user: CurrentUserDep,
    session: SessionDep,
    pool: ReadPoolDep,
    page: PageDep,
    since: UpdatedSinceDep,
    date: Annotated[
        IsoDate | None, Query(description="day in the user's timezone; default today")
    ] = None,
) -> DiaryDay | Changes[DiaryEntryOut]:
    """The day's entries with totals and a sync `cursor`. With `updatedSince`: the entries of
    any day written since then, the ids deleted since then and the next `cursor`, `limit`
    changes a call (no `date`; `page` is ignored)."""
    if since is not None:
        no_filters_with_delta(since, {"date": date})
        return await service.changes(
            session=session, pool=pool, user_id=user.id, since=since, limit=page.limit
        )
    # Before the day's read: the sync cursor must not be newer than the snapshot read.
    cursor = await current_cursor(pool)
    return await service.read_day(session=session, user_id=user.id, day=date, cursor=cursor)


@router.get("/{entry_id}", responses=problem_responses(404))
async def get_entry(entry_id: UUID, user: CurrentUserDep, session: SessionDep) -> DiaryEntryOut:
    entry = await service.get_entry(session=session, user_id=user.id, entry_id=entry_id)
    if entry is None:
        raise NotFound("No such diary entry.")
    return entry


@router.delete(
    "/{entry_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
async def delete_entry(entry_id: UUID, user: CurrentUserDep, session: SessionDep) -> Response:
    """Another user's entry id is 404, like an unknown one."""
    if not await service.delete_entry(session=session, user_id=user.id, entry_id=entry_id):
        raise NotFound("No such diary entry.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
