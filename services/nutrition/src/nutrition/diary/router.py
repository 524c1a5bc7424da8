"""/nutrition/diary: log what was eaten, read a day against the targets, delete an entry."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.problems import NotFound, problem_responses
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


@router.get("")
async def read_day(
    user: CurrentUserDep,
    session: SessionDep,
    date: Annotated[
        IsoDate | None, Query(description="day in the user's timezone; default today")
    ] = None,
) -> DiaryDay:
    return await service.read_day(session=session, user_id=user.id, day=date)


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
