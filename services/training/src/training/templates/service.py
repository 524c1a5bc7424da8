"""Use cases of workout templates: the catalogue of plans with an estimate for the caller's
current weight, starting one (a new workout), and the audited admin CRUD."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.audit import AuditContext
from fitness_platform.calendar import local_date
from fitness_platform.pagination import Page, PageParams
from fitness_platform.problems import Conflict
from fitness_platform.projections.user_profiles import get_profile, zone_or_utc
from training.domain.calories import BodyWeight, estimate
from training.exercises import repository as exercise_repository
from training.exercises import service as exercise_service
from training.exercises.models import Exercise
from training.templates import repository
from training.templates.models import WorkoutTemplate
from training.templates.schemas import TemplateExerciseOut, WorkoutTemplateIn, WorkoutTemplateOut
from training.weights import service as weight_service
from training.workouts import estimates
from training.workouts import service as workout_service
from training.workouts.schemas import StartTemplateIn, WorkoutIn, WorkoutOut


async def current_weight(session: AsyncSession, user_id: UUID) -> BodyWeight:
    """The caller's weight today (their timezone): latest weigh-in, else profile, else 70 kg."""
    profile = await get_profile(session, user_id)
    zone = profile.zone if profile is not None else zone_or_utc(None)
    return await weight_service.weight_for_day(
        session,
        user_id=user_id,
        day=local_date(datetime.now(UTC), zone),
        profile_weight_kg=profile.weight_kg if profile is not None else None,
    )


def _exercises(row: WorkoutTemplate, catalogue: Mapping[int, Exercise]) -> list[dict[str, Any]]:
    out = []
    for item in row.exercises:
        exercise = catalogue.get(int(item["exerciseId"]))
        if exercise is None:  # the catalogue has no deletes; defensive for hand-edited data
            continue
        out.append(
            {**item, "name": exercise.name, "category": exercise.category, "met": exercise.met}
        )
    return out


def _out(
    row: WorkoutTemplate, catalogue: Mapping[int, Exercise], weight: BodyWeight
) -> WorkoutTemplateOut:
    exercises = _exercises(row, catalogue)
    result = estimate(
        duration_min=row.duration_min, activities=estimates.activities(exercises), weight=weight
    )
    assert result is not None  # a template has at least one exercise
    return WorkoutTemplateOut(
        id=row.id,
        name=row.name,
        level=row.level,
        goal=row.goal,
        description=row.description,
        duration_min=row.duration_min,
        exercises=[TemplateExerciseOut.model_validate(e) for e in exercises],
        estimated_kcal=result.total_kcal,
        calorie_estimate=estimates.estimate_json(result),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _render(
    session: AsyncSession, rows: Sequence[WorkoutTemplate], user_id: UUID
) -> list[WorkoutTemplateOut]:
    ids = [int(i["exerciseId"]) for r in rows for i in r.exercises]
    catalogue = await exercise_repository.get_many(session, ids)
    weight = await current_weight(session, user_id)
    return [_out(r, catalogue, weight) for r in rows]


async def list_templates(
    *,
    session: AsyncSession,
    user_id: UUID,
    level: str | None,
    goal: str | None,
    params: PageParams,
) -> Page[WorkoutTemplateOut]:
    rows, total = await repository.page(
        session, level=level, goal=goal, offset=params.offset, limit=params.limit
    )
    return Page[WorkoutTemplateOut].of(await _render(session, rows, user_id), params, total)


async def get_template(
    *, session: AsyncSession, user_id: UUID, template_id: UUID
) -> WorkoutTemplateOut | None:
    row = await repository.get(session, template_id)
    return (await _render(session, [row], user_id))[0] if row is not None else None


async def start(
    *, session: AsyncSession, user_id: UUID, template_id: UUID, data: StartTemplateIn | None
) -> WorkoutOut | None:
    """A new workout from the template (estimated like any other); None if no such template."""
    row = await repository.get(session, template_id)
    if row is None:
        return None
    body = WorkoutIn.model_validate(
        {
            "title": (data.title if data and data.title else row.name),
            "startedAt": (data.started_at if data and data.started_at else datetime.now(UTC)),
            "durationMin": row.duration_min,
            "exercises": row.exercises,
            "notes": f"From template: {row.name}",
        }
    )
    return await workout_service.create(session=session, user_id=user_id, data=body)


# ------------------------------------------------------------------ admin


async def _check(
    session: AsyncSession, data: WorkoutTemplateIn, *, other_than: UUID | None
) -> None:
    ids = [e.exercise_id for e in data.exercises]
    await exercise_service.get_known(session, ids, path=lambda i: f"body.exercises[{i}].exerciseId")
    if await repository.name_taken(session, data.name, other_than=other_than):
        raise Conflict(f"A template named {data.name!r} exists already.")


def _items(data: WorkoutTemplateIn) -> list[dict[str, Any]]:
    return [e.model_dump(by_alias=True, exclude_none=True) for e in data.exercises]


async def _commit(session: AsyncSession, name: str) -> None:
    try:
        await session.commit()
    except IntegrityError as exc:  # a concurrent create with the same name
        await session.rollback()
        raise Conflict(f"A template named {name!r} exists already.") from exc


async def create(
    *, session: AsyncSession, data: WorkoutTemplateIn, audit: AuditContext
) -> WorkoutTemplateOut:
    await _check(session, data, other_than=None)
    now = datetime.now(UTC)
    row = WorkoutTemplate(
        id=uuid4(),
        name=data.name,
        level=data.level,
        goal=data.goal,
        description=data.description,
        duration_min=data.duration_min,
        exercises=_items(data),
        created_at=now,
        updated_at=now,
    )
    await repository.add(session, row)
    await audit.record(
        session,
        action="workout_template.create",
        target=f"workout_template:{row.id}",
        details={"name": row.name},
    )
    await _commit(session, data.name)
    return (await _render(session, [row], audit.actor_id))[0]


async def update(
    *, session: AsyncSession, template_id: UUID, data: WorkoutTemplateIn, audit: AuditContext
) -> WorkoutTemplateOut | None:
    row = await repository.get(session, template_id)
    if row is None:
        return None
    await _check(session, data, other_than=template_id)
    row.name, row.level, row.goal = data.name, data.level, data.goal
    row.description, row.duration_min = data.description, data.duration_min
    row.exercises = _items(data)
    row.updated_at = datetime.now(UTC)
    await audit.record(
        session,
        action="workout_template.update",
        target=f"workout_template:{row.id}",
        details={"name": row.name},
    )
    await _commit(session, data.name)
    return (await _render(session, [row], audit.actor_id))[0]


async def delete(*, session: AsyncSession, template_id: UUID, audit: AuditContext) -> bool:
    row = await repository.get(session, template_id)
    if row is None:
        return False
    await repository.remove(session, row)
    await audit.record(
        session,
        action="workout_template.delete",
        target=f"workout_template:{template_id}",
        details={"name": row.name},
    )
    await session.commit()
    return True
