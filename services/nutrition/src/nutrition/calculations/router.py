"""/nutrition/calculate, /save, /me, /history, /calculations/{id}, /recalculate-on-profile-change."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep, SessionDep
from fitness_platform.pagination import PageDep
from fitness_platform.problems import Conflict, NotFound, ProblemError, problem_responses
from fitness_platform.sync import SYNC_RESPONSES, Changes, SyncPage, UpdatedSinceDep
from nutrition.calculations import service
from nutrition.calculations.schemas import (
    CalculationInput,
    CalculationResult,
    CurrentTargets,
    SavedCalculation,
)
from nutrition.dependencies import AUTH_RESPONSES, RedisDep, SettingsDep
from nutrition.profiles.service import ProfileIncompleteError
from nutrition.validation import IsoDate

router = APIRouter(prefix="/nutrition", tags=["calculations"], responses=AUTH_RESPONSES)


@router.post("/calculate", response_model=CalculationResult)
async def calculate(
    body: CalculationInput, user: CurrentUserDep, redis: RedisDep, settings: SettingsDep
) -> Response:
    """Stateless BMR/TDEE/calorie/macro/fibre targets (cached briefly by input)."""
    result, hit = await service.calculate(
        data=body,
        redis=redis,
        cache_version=settings.calc_cache_version,
        ttl_s=settings.calc_cache_ttl_s,
    )
    # Serialised once (FastAPI would validate the model against the response model again).
    return Response(
        result.model_dump_json(by_alias=True),
        media_type="application/json",
        headers={"X-Cache": "hit" if hit else "miss"},
    )


def _created(response: Response, calculation_id: UUID) -> None:
    response.status_code = status.HTTP_201_CREATED
    response.headers["Location"] = f"/nutrition/calculations/{calculation_id}"


@router.post("/save", response_model=SavedCalculation, status_code=status.HTTP_201_CREATED)
async def save(
    body: CalculationInput, user: CurrentUserDep, session: SessionDep, response: Response
) -> SavedCalculation:
    """Calculate and store targets for the current user; emits nutrition.targets.calculated.v1."""
    row = await service.save(session=session, user_id=user.id, data=body, reason="manual")
    await session.commit()
    _created(response, row.id)
    return service.to_saved(row)


@router.get("/calculations/{calculation_id}", responses=problem_responses(404))
async def get_calculation(
    calculation_id: UUID, user: CurrentUserDep, session: SessionDep
) -> SavedCalculation:
    row = await service.get_saved(session=session, user_id=user.id, calculation_id=calculation_id)
    if row is None:
        raise NotFound("No such calculation.")
    return service.to_saved(row)


@router.get("/me", response_model=CurrentTargets, responses=problem_responses(404))
async def me(user: CurrentUserDep, pool: ReadPoolDep, request: Request) -> Response:
    """Latest saved targets; if none, computed from the profile; 404 if neither is possible."""
    body = await service.current_targets_json(
        pool=pool, sessionmaker=request.app.state.sessionmaker, user_id=user.id
    )
    if body is None:
        raise NotFound(
            "No saved calculation and the profile is incomplete: "
            "POST /nutrition/save or complete the profile."
        )
    return Response(body, media_type="application/json")


@router.get("/history", responses=SYNC_RESPONSES)
async def history(
    user: CurrentUserDep,
    session: SessionDep,
    pool: ReadPoolDep,
    page: PageDep,
    since: UpdatedSinceDep,
    start: Annotated[
        IsoDate | None, Query(alias="from", description="first UTC day, inclusive")
    ] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="last UTC day, inclusive")] = None,
) -> SyncPage[SavedCalculation] | Changes[SavedCalculation]:
    """Saved calculations, newest first, with a sync `cursor`. With `updatedSince`: the
    calculations saved since then, the ids deleted since then and the next `cursor`, `limit`
    changes a call (no `from`/`to`; `page` is ignored)."""
    if start is not None and end is not None and start > end:
        raise ProblemError(422, detail="`from` must not be after `to`.")
    return await service.history(
        session=session, user_id=user.id, start=start, end=end, params=page, pool=pool, since=since
    )


@router.post(
    "/recalculate-on-profile-change",
    response_model=SavedCalculation,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def recalculate(
    user: CurrentUserDep, session: SessionDep, response: Response
) -> SavedCalculation:
    """Recalculate from the profile identity shared with us and save it (reason profile_change)."""
    try:
        row = await service.recalculate_from_profile(session=session, user_id=user.id)
    except ProfileIncompleteError as exc:
        raise Conflict(str(exc), extra={"missingFields": exc.missing}) from exc
    assert row is not None
    await session.commit()
    _created(response, row.id)
    return service.to_saved(row)
