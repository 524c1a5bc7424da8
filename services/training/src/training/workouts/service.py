"""Use cases of workouts: log, replace, delete (each with its outbox event), the key reads,
and re-estimation when the weight a past estimate used has changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import orjson
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.training import (
    WorkoutCreatedV1,
    WorkoutDeletedV1,
    WorkoutSnapshot,
    WorkoutUpdatedV1,
)
from fitness_platform.calendar import local_date
from fitness_platform.outbox import add_event
from fitness_platform.pagination import PageParams
from fitness_platform.problems import ProblemError
from fitness_platform.projections.user_profiles import get_profile, zone_or_utc
from fitness_platform.sync import SyncCursor, changes_body, no_filters_with_delta
from training.exercises import service as exercise_service
from training.workouts import estimates, repository
from training.workouts.models import Workout
from training.workouts.schemas import WorkoutIn, WorkoutOut


def to_out(row: Workout) -> WorkoutOut:
    return WorkoutOut.model_validate(row)


def snapshot(row: Workout) -> WorkoutSnapshot:
    return WorkoutSnapshot(
        workout_id=row.id,
        user_id=row.user_id,
        title=row.title,
        started_at=row.started_at.astimezone(UTC),
        local_date=row.local_date,
        duration_min=row.duration_min,
        calories_burned=row.calories_burned,
        calories_source=row.calories_source,
        exercise_categories=estimates.exercise_categories(row.exercises),
    )


async def _fill(session: AsyncSession, row: Workout, *, user_id: UUID, data: WorkoutIn) -> None:
    """Set every field of ``row`` from ``data`` (create and replace), estimating if needed."""
    ids = [e.exercise_id for e in data.exercises]
    catalogue = await exercise_service.get_known(
        session, ids, path=lambda i: f"body.exercises[{i}].exerciseId"
    )
    profile = await get_profile(session, user_id)
    zone = profile.zone if profile is not None else zone_or_utc(None)
    row.title = data.title
    row.started_at = data.started_at.astimezone(UTC)
    row.local_date = local_date(data.started_at, zone)
    row.duration_min = data.duration_min
    row.notes = data.notes
    row.exercises = estimates.exercises_json(data.exercises, catalogue)
    row.calorie_estimate = None
    if data.calories_burned is not None:
        row.calories_burned, row.calories_source = data.calories_burned, "user"
        return
    result = await estimates.estimate_for(
        session,
        user_id=user_id,
        day=row.local_date,
        duration_min=row.duration_min,
        exercises=row.exercises,
        profile_weight_kg=profile.weight_kg if profile is not None else None,
    )
    if result is None:
        row.calories_burned, row.calories_source = None, None
    else:
        row.calories_burned, row.calories_source = result.total_kcal, "estimated"
        row.calorie_estimate = estimates.estimate_json(result)


async def create(*, session: AsyncSession, user_id: UUID, data: WorkoutIn) -> WorkoutOut:
    await repository.lock_user(session, user_id)
    now = datetime.now(UTC)
    row = Workout(id=uuid4(), user_id=user_id, created_at=now, updated_at=now)
    await _fill(session, row, user_id=user_id, data=data)
    await repository.add(session, row)
    await add_event(
        session, WorkoutCreatedV1(workout=snapshot(row), created_at=now), key=str(user_id)
    )
    await session.commit()
    return to_out(row)


async def replace(
    *, session: AsyncSession, user_id: UUID, workout_id: UUID, data: WorkoutIn
) -> WorkoutOut | None:
    """PUT: the whole workout is replaced and estimated afresh (another user's id → None)."""
    await repository.lock_user(session, user_id)
    row = await repository.get_for_update(session, user_id=user_id, workout_id=workout_id)
    if row is None:
        return None
    await _fill(session, row, user_id=user_id, data=data)
    row.updated_at = datetime.now(UTC)
    await session.flush()
    await add_event(
        session,
        WorkoutUpdatedV1(workout=snapshot(row), reason="edited", updated_at=row.updated_at),
        key=str(user_id),
    )
    await session.commit()
    return to_out(row)


async def delete(*, session: AsyncSession, user_id: UUID, workout_id: UUID) -> bool:
    await repository.lock_user(session, user_id)
    row = await repository.get_for_update(session, user_id=user_id, workout_id=workout_id)
    if row is None:
        return False
    await repository.remove(session, row)
    await add_event(
        session,
        WorkoutDeletedV1(
            workout_id=row.id,
            user_id=user_id,
            local_date=row.local_date,
            deleted_at=datetime.now(UTC),
        ),
        key=str(user_id),
    )
    await session.commit()
    return True


# orjson writes UUIDs, dates and the (naive UTC) timestamps itself, with a Z like pydantic.
_JSON_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z


def _read_item(row: tuple[Any, ...]) -> dict[str, Any]:
    item = dict(zip(repository.READ_FIELDS, row, strict=True))
    item["exercises"] = orjson.Fragment(item["exercises"])
    if item["calorieEstimate"] is not None:
        item["calorieEstimate"] = orjson.Fragment(item["calorieEstimate"])
    return item


async def list_workouts_json(
    *,
    pool: AsyncConnectionPool,
    user_id: UUID,
    start: date | None,
    end: date | None,
    q: str | None,
    params: PageParams,
    since: SyncCursor | None = None,
) -> bytes:
    """``SyncPage[WorkoutOut]`` as JSON, straight from the read pool's rows (the key read: no
    pydantic round trip; the rows were validated when written); with ``since`` the
    ``Changes[WorkoutOut]`` since that cursor instead."""
    if since is not None:
        no_filters_with_delta(since, {"from": start, "to": end, "q": q})
        delta = await repository.read_changes(
            pool, user_id=user_id, cursor=since, limit=params.limit
        )
        body = changes_body([_read_item(r) for r in delta.rows], delta)
        return orjson.dumps(body, option=_JSON_OPTIONS)
    if start is not None and end is not None and start > end:
        raise ProblemError(
            422,
            detail="`from` must not be after `to`.",
            extra={"errors": [{"path": "query.from", "message": "after `to`", "type": "range"}]},
        )
    rows, total, cursor = await repository.read_page(
        pool, user_id=user_id, start=start, end=end, q=q, offset=params.offset, limit=params.limit
    )
    page = {
        "items": [_read_item(r) for r in rows],
        "page": params.page,
        "limit": params.limit,
        "total": total,
        "cursor": cursor,
    }
    return orjson.dumps(page, option=_JSON_OPTIONS)


async def get_workout_json(
    *, pool: AsyncConnectionPool, user_id: UUID, workout_id: UUID
) -> bytes | None:
    """``WorkoutOut`` as JSON, or None for an unknown id or another user's workout."""
    row = await repository.read_one(pool, user_id=user_id, workout_id=workout_id)
    return orjson.dumps(_read_item(row), option=_JSON_OPTIONS) if row is not None else None


async def reestimate(
    *,
    session: AsyncSession,
    user_id: UUID,
    start: date | None = None,
    end_before: date | None = None,
    weight_sources: tuple[str, ...] | None = None,
) -> int:
    """Estimate again the user's estimated workouts in ``[start, end_before)`` with the weight
    the read models now give for each one's day; an updated event (reason ``reestimated``) for
    each whose calories changed. Runs in the caller's (consumer inbox) transaction; a replay
    finds nothing to change. Returns the number of workouts whose calories changed."""
    await repository.lock_user(session, user_id)
    rows = await repository.estimated_between(
        session, user_id=user_id, start=start, end_before=end_before, weight_sources=weight_sources
    )
    if not rows:
        return 0
    profile = await get_profile(session, user_id)
    changed = 0
    for row in rows:
        result = await estimates.estimate_for(
            session,
            user_id=user_id,
            day=row.local_date,
            duration_min=row.duration_min,
            exercises=row.exercises,
            profile_weight_kg=profile.weight_kg if profile is not None else None,
        )
        if result is None:
            continue
        new_estimate = estimates.estimate_json(result)
        if new_estimate == row.calorie_estimate:
            continue
        calories_changed = result.total_kcal != row.calories_burned
        row.calorie_estimate = new_estimate
        row.calories_burned = result.total_kcal
        row.updated_at = datetime.now(UTC)
        if calories_changed:
            changed += 1
            await add_event(
                session,
                WorkoutUpdatedV1(
                    workout=snapshot(row), reason="reestimated", updated_at=row.updated_at
                ),
                key=str(user_id),
            )
    await session.flush()
    return changed
