"""Use cases: calculate (cached), save, current targets, history, profile-driven recalculation."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.nutrition import MacroTargets, TargetsCalculatedV1
from fitness_platform.outbox import add_event
from fitness_platform.pagination import PageParams
from fitness_platform.sync import (
    Changes,
    SyncCursor,
    SyncPage,
    current_cursor,
    no_filters_with_delta,
)
from nutrition.calculations import cache, repository
from nutrition.calculations.models import Calculation
from nutrition.calculations.schemas import (
    CalculationInput,
    CalculationInputOut,
    CalculationResult,
    CurrentTargets,
    MacrosOut,
    SavedCalculation,
    TargetWarningOut,
)
from nutrition.domain import energy
from nutrition.profiles import service as profile_service

log = logging.getLogger(__name__)

Reason = Literal["manual", "profile_change"]


def compute(data: CalculationInput) -> CalculationResult:
    t = energy.energy_targets(
        sex=data.gender,
        age=data.age,
        height_cm=data.height_cm,
        weight_kg=data.weight_kg,
        activity_level=data.activity_level,
        goal=data.goal,
        target_rate_kg_per_week=data.target_rate_kg_per_week,
        body_fat_pct=data.body_fat_pct,
    )
    m = t.macros
    return CalculationResult(
        bmr=t.bmr,
        bmr_formula=t.formula,
        activity_factor=t.activity_factor,
        tdee=t.tdee,
        daily_calories=t.daily_calories,
        macros=MacrosOut(
            protein_g=m.protein_g,
            fat_g=m.fat_g,
            carbs_g=m.carbs_g,
            protein_pct=m.protein_pct,
            fat_pct=m.fat_pct,
            carbs_pct=m.carbs_pct,
        ),
        fiber_g=t.fiber_g,
        warnings=[TargetWarningOut(code=w.code, message=w.message) for w in t.warnings],
    )


async def calculate(
    *, data: CalculationInput, redis: Any, cache_version: str, ttl_s: int
) -> tuple[CalculationResult, bool]:
    """Returns (result, cache hit?)."""
    key = cache.cache_key(data, cache_version)
    cached = await cache.get(redis, key)
    if cached is not None:
        return cached, True
    result = compute(data)
    await cache.put(redis, key, result, ttl_s)
    return result, False


def to_saved(row: Calculation) -> SavedCalculation:
    result = CalculationResult.model_validate(row.result)
    return SavedCalculation(
        **result.model_dump(),
        id=row.id,
        reason=row.reason,
        calculated_at=row.created_at,
        input=CalculationInputOut.model_validate(row.input),
    )


async def save(
    *, session: AsyncSession, user_id: UUID, data: CalculationInput, reason: Reason
) -> Calculation:
    """Store a calculation and queue ``nutrition.targets.calculated.v1`` in the same
    transaction (the caller commits)."""
    result = compute(data)
    now = datetime.now(UTC)
    row = Calculation(
        id=uuid4(),
        user_id=user_id,
        reason=reason,
        input=data.model_dump(mode="json", by_alias=True),
        result=result.model_dump(mode="json", by_alias=True),
        daily_calories=result.daily_calories,
        created_at=now,
    )
    await repository.add(session, row)
    await add_event(
        session,
        TargetsCalculatedV1(
            user_id=user_id,
            calculation_id=row.id,
            bmr=result.bmr,
            tdee=result.tdee,
            daily_calories=result.daily_calories,
            macros=MacroTargets(
                protein_g=result.macros.protein_g,
                fat_g=result.macros.fat_g,
                carbs_g=result.macros.carbs_g,
            ),
            fiber_g=result.fiber_g,
            reason=reason,
            calculated_at=now,
        ),
        key=str(user_id),
    )
    return row


async def get_saved(
    *, session: AsyncSession, user_id: UUID, calculation_id: UUID
) -> Calculation | None:
    return await repository.get(session, user_id=user_id, calculation_id=calculation_id)


async def current_targets(*, session: AsyncSession, user_id: UUID) -> CurrentTargets | None:
    """Latest saved calculation, else one computed from the profile, else None."""
    row = await repository.latest(session, user_id)
    if row is not None:
        saved = to_saved(row)
        return CurrentTargets(**saved.model_dump(), source="saved")
    profile = await profile_service.get_profile(session, user_id=user_id)
    try:
        data = profile_service.calculation_input(profile)
    except profile_service.ProfileIncompleteError:
        return None
    result = compute(data)
    return CurrentTargets(
        **result.model_dump(),
        source="profile",
        id=None,
        reason=None,
        calculated_at=datetime.now(UTC),
        input=CalculationInputOut.model_validate(data.model_dump()),
    )


async def current_targets_json(
    *,
    pool: AsyncConnectionPool,
    sessionmaker: async_sessionmaker[AsyncSession],
    user_id: UUID,
) -> bytes | None:
    """``GET /nutrition/me`` as JSON: the latest saved calculation read on the plain read pool
    and serialised once (validated once into ``CurrentTargets``; FastAPI does not validate and
    serialise it again); without one, the profile path of ``current_targets`` on a session."""
    row = await repository.read_latest(pool, user_id)
    if row is not None:
        calculation_id, reason, data, result, created_at = row
        current = CurrentTargets.model_validate(
            {
                **result,
                "source": "saved",
                "id": calculation_id,
                "reason": reason,
                "calculatedAt": created_at,
                "input": data,
            }
        )
    else:
        async with sessionmaker() as session:
            found = await current_targets(session=session, user_id=user_id)
        if found is None:
            return None
        current = found
    return current.model_dump_json(by_alias=True).encode()


async def history(
    *,
    session: AsyncSession,
    user_id: UUID,
    start: date | None,
    end: date | None,
    params: PageParams,
    pool: AsyncConnectionPool,
    since: SyncCursor | None = None,
) -> SyncPage[SavedCalculation] | Changes[SavedCalculation]:
    """``start``/``end`` are inclusive UTC dates; with ``since``, the changes since then."""
    if since is not None:
        no_filters_with_delta(since, {"from": start, "to": end})
        rows_, delta = await repository.changes(
            pool, session, user_id=user_id, cursor=since, limit=params.limit
        )
        return Changes[SavedCalculation](
            items=[to_saved(r) for r in rows_],
            deleted=delta.deleted,
            cursor=delta.cursor,
            hasMore=delta.has_more,
        )
    # Before the page: the sync cursor must not be newer than the snapshot read.
    cursor = await current_cursor(pool)
    lo = datetime.combine(start, time.min, UTC) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, UTC) if end else None
    rows, total = await repository.page(
        session, user_id=user_id, start=lo, end=hi, offset=params.offset, limit=params.limit
    )
    return SyncPage[SavedCalculation](
        items=[to_saved(r) for r in rows],
        page=params.page,
        limit=params.limit,
        total=total,
        cursor=cursor,
    )


async def recalculate_from_profile(
    *, session: AsyncSession, user_id: UUID, only_if_changed: bool = False
) -> Calculation | None:
    """Save a calculation from the profile read model (reason ``profile_change``).

    Raises ProfileIncompleteError. With ``only_if_changed`` nothing is saved when the latest
    calculation already used exactly this input (a repeated or no-op profile event).
    """
    profile = await profile_service.get_profile(session, user_id=user_id)
    data = profile_service.calculation_input(profile)
    if only_if_changed:
        latest = await repository.latest(session, user_id)
        if latest is not None and latest.input == data.model_dump(mode="json", by_alias=True):
            return None
    return await save(session=session, user_id=user_id, data=data, reason="profile_change")
