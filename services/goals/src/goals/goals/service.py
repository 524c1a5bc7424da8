"""Goal use cases: create, read, change, delete — each write with its event in one transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi.exceptions import RequestValidationError
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.goals import (
    GoalCreatedV1,
    GoalDeletedV1,
    GoalSnapshot,
    GoalUpdatedV1,
)
from fitness_platform.calendar import local_date
from fitness_platform.outbox import add_event
from fitness_platform.pagination import PageParams
from fitness_platform.problems import Conflict
from fitness_platform.projections.user_profiles import get_profile, zone_or_utc
from fitness_platform.sync import Changes, SyncCursor, SyncPage, no_filters_with_delta
from goals.domain import transitions
from goals.domain.evaluation import current_weight, direction_for
from goals.domain.facts import UNITS, WEIGHT_TARGET
from goals.goals import repository
from goals.goals.models import Goal, GoalRecord
from goals.goals.schemas import (
    CalorieAdherenceIn,
    GoalIn,
    GoalOut,
    GoalPatch,
    WeeklyActiveMinutesIn,
    WeightTargetIn,
    WorkoutsPerWeekIn,
)
from goals.readmodels import repository as readmodels

# Which patch field carries the target of each type.
TARGET_FIELD = {
    "weight_target": "target_weight_kg",
    "workouts_per_week": "workouts_per_week",
    "weekly_active_minutes": "minutes_per_week",
    "calorie_adherence": "days_per_week",
}
ONE_ACTIVE_WEIGHT = "Only one active weight target per user: finish, pause or abandon the other."


def to_out(goal: Goal | GoalRecord) -> GoalOut:
    return GoalOut(
        id=goal.id,
        type=goal.type,
        title=goal.title,
        status=goal.status,
        target_value=goal.target_value,
        unit=UNITS[goal.type],
        tolerance_pct=goal.tolerance_pct,
        direction=goal.direction,
        start_weight_kg=goal.start_weight_kg,
        start_date=goal.start_date,
        end_date=goal.end_date,
        progress_pct=goal.progress_pct,
        current_value=goal.current_value,
        evaluated_at=goal.evaluated_at,
        achieved_at=goal.achieved_at,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
    )


def snapshot(goal: Goal) -> GoalSnapshot:
    return GoalSnapshot(
        goal_id=goal.id,
        user_id=goal.user_id,
        type=goal.type,
        title=goal.title,
        status=goal.status,
        target_value=goal.target_value,
        start_date=goal.start_date,
        end_date=goal.end_date,
        progress_pct=goal.progress_pct,
    )


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


def _target_and_title(data: Any) -> tuple[float, str, float | None]:
    if isinstance(data, WeightTargetIn):
        return data.target_weight_kg, f"Reach {data.target_weight_kg:g} kg", None
    if isinstance(data, WorkoutsPerWeekIn):
        return float(data.workouts_per_week), f"{data.workouts_per_week} workouts a week", None
    if isinstance(data, WeeklyActiveMinutesIn):
        return float(data.minutes_per_week), f"{data.minutes_per_week} active minutes a week", None
    assert isinstance(data, CalorieAdherenceIn)
    title = f"On calorie target {data.days_per_week} days a week"
    return float(data.days_per_week), title, data.tolerance_pct


async def create_goal(*, session: AsyncSession, user_id: UUID, data: GoalIn) -> GoalOut:
    now = datetime.now(UTC)
    profile = await get_profile(session, user_id)
    today = local_date(now, profile.zone if profile else zone_or_utc(None))
    start = data.start_date or today
    if data.end_date is not None and data.end_date < start:
        raise _invalid("endDate", "endDate must not be before startDate (default: today)")
    target, default_title, tolerance = _target_and_title(data)
    direction = start_weight = None
    if data.type == WEIGHT_TARGET:
        if await repository.has_active_weight_target(session, user_id):
            raise Conflict(ONE_ACTIVE_WEIGHT)
        facts = await readmodels.load_facts(session, user_id)
        start_weight = current_weight(facts, today)
        direction = direction_for(target, start_weight)
    goal = Goal(
        id=uuid.uuid4(),
        user_id=user_id,
        type=data.type,
        title=data.title or default_title,
        status=transitions.ACTIVE,
        target_value=target,
        tolerance_pct=tolerance,
        direction=direction,
        start_weight_kg=None if start_weight is None else round(start_weight, 2),
        start_date=start,
        end_date=data.end_date,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, goal)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent create won the partial unique index
        await session.rollback()
        raise Conflict(ONE_ACTIVE_WEIGHT) from exc
    await add_event(session, GoalCreatedV1(goal=snapshot(goal), created_at=now), key=str(user_id))
    await session.commit()
    return to_out(goal)


async def read_goal(*, pool: AsyncConnectionPool, user_id: UUID, goal_id: UUID) -> GoalOut | None:
    record = await repository.read_one(pool, goal_id=goal_id, user_id=user_id)
    return to_out(record) if record is not None else None


async def list_goals(
    *,
    pool: AsyncConnectionPool,
    user_id: UUID,
    params: PageParams,
    status: str | None,
    goal_type: str | None,
    since: SyncCursor | None = None,
) -> SyncPage[GoalOut] | Changes[GoalOut]:
    """The page with a sync cursor; with ``since``, the changes since that cursor instead."""
    if since is not None:
        no_filters_with_delta(since, {"status": status, "type": goal_type})
        changed, delta = await repository.read_changes(
            pool, user_id=user_id, cursor=since, limit=params.limit
        )
        return Changes[GoalOut].model_construct(
            items=[to_out(r) for r in changed],
            deleted=delta.deleted,
            cursor=delta.cursor,
            has_more=delta.has_more,
        )
    records, total, cursor = await repository.read_page(
        pool,
        user_id=user_id,
        status=status,
        goal_type=goal_type,
        limit=params.limit,
        offset=params.offset,
    )
    return SyncPage[GoalOut].model_construct(
        items=[to_out(r) for r in records],
        page=params.page,
        limit=params.limit,
        total=total,
        cursor=cursor,
    )


async def update_goal(*, session: AsyncSession, goal: Goal, data: GoalPatch) -> GoalOut:
    """``goal`` is locked by the validating dependency (valid_goal_for_update)."""
    given = data.model_fields_set
    target_field = TARGET_FIELD[goal.type]
    for name in ("target_weight_kg", "workouts_per_week", "minutes_per_week", "days_per_week"):
        if name in given and name != target_field:
            raise _invalid(_camel(name), f"not a field of a {goal.type} goal")
    if "tolerance_pct" in given and goal.type != "calorie_adherence":
        raise _invalid("tolerancePct", f"not a field of a {goal.type} goal")
    changed: list[str] = []
    now = datetime.now(UTC)
    was_closed = transitions.is_closed(goal.status)
    if data.status is not None:
        try:
            if transitions.check_transition(goal.status, data.status):
                goal.status = data.status
                changed.append("status")
        except transitions.IllegalTransitionError as exc:
            raise Conflict(str(exc), type_slug="illegal-transition") from exc
    if was_closed and given - {"title", "status"}:
        raise Conflict(f"This goal is {goal.status}: it can only be renamed.")
    start = data.start_date if "start_date" in given else goal.start_date
    end = data.end_date if "end_date" in given else goal.end_date
    if start is not None and end is not None and end < start:
        raise _invalid("endDate", "endDate must not be before startDate")
    for name, value in (
        ("title", data.title),
        ("start_date", start),
        ("end_date", end),
        ("tolerance_pct", data.tolerance_pct),
    ):
        if name in given and getattr(goal, name) != value:
            setattr(goal, name, value)
            changed.append(name)
    new_target = getattr(data, target_field) if target_field in given else None
    if new_target is not None and float(new_target) != goal.target_value:
        goal.target_value = float(new_target)
        changed.append("target_value")
        if goal.type == WEIGHT_TARGET:
            profile = await get_profile(session, goal.user_id)
            facts = await readmodels.load_facts(session, goal.user_id)
            today = local_date(now, profile.zone if profile else zone_or_utc(None))
            reference = goal.start_weight_kg or current_weight(facts, today)
            goal.direction = direction_for(goal.target_value, reference)
    if not changed:
        return to_out(goal)
    goal.updated_at = now
    try:
        await session.flush()
    except IntegrityError as exc:  # re-activating a second weight target
        await session.rollback()
        raise Conflict(ONE_ACTIVE_WEIGHT) from exc
    await add_event(
        session,
        GoalUpdatedV1(
            goal=snapshot(goal), changed_fields=[_camel(c) for c in changed], updated_at=now
        ),
        key=str(goal.user_id),
    )
    await session.commit()
    return to_out(goal)


async def delete_goal(*, session: AsyncSession, goal: Goal) -> None:
    now = datetime.now(UTC)
    await session.delete(goal)
    await add_event(
        session,
        GoalDeletedV1(goal_id=goal.id, user_id=goal.user_id, deleted_at=now),
        key=str(goal.user_id),
    )
    await session.commit()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
