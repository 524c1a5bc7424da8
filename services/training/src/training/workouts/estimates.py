"""Between the wire/ORM shapes and the pure calorie domain: build the activities of a
workout, run the estimate with the user's weight for its day, store it as JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from training.domain.calories import Activity, BodyWeight, Estimate, estimate
from training.exercises.models import Exercise
from training.weights import service as weight_service
from training.workouts.schemas import WorkoutExerciseIn


def exercises_json(
    items: Sequence[WorkoutExerciseIn], catalogue: Mapping[int, Exercise]
) -> list[dict[str, Any]]:
    """The workout's exercises with name, category and MET snapshotted from the catalogue
    (a later catalogue edit must not rewrite a past workout). Every field is kept, nulls
    included: the key reads send this JSON to clients as stored."""
    out = []
    for item in items:
        exercise = catalogue[item.exercise_id]
        out.append(
            {
                **item.model_dump(by_alias=True),
                "name": exercise.name,
                "category": exercise.category,
                "met": exercise.met,
            }
        )
    return out


def activities(exercises: Sequence[Mapping[str, Any]]) -> list[Activity]:
    return [
        Activity(
            exercise_id=int(e["exerciseId"]),
            name=str(e["name"]),
            met=float(e["met"]),
            duration_min=float(e["durationMin"]) if e.get("durationMin") is not None else None,
        )
        for e in exercises
    ]


def estimate_json(result: Estimate) -> dict[str, Any]:
    w = result.weight
    return {
        "weightKg": w.kg,
        "weightSource": w.source,
        "weightMeasuredOn": w.measured_on.isoformat() if w.measured_on else None,
        "totalKcal": result.total_kcal,
        "exercises": [
            {
                "exerciseId": a.exercise_id,
                "name": a.name,
                "met": a.met,
                "minutes": a.minutes,
                "kcal": a.kcal,
            }
            for a in result.activities
        ],
    }


async def estimate_for(
    session: AsyncSession,
    *,
    user_id: UUID,
    day: date,
    duration_min: int,
    exercises: Sequence[Mapping[str, Any]],
    profile_weight_kg: float | None,
) -> Estimate | None:
    if not exercises:
        return None
    weight: BodyWeight = await weight_service.weight_for_day(
        session, user_id=user_id, day=day, profile_weight_kg=profile_weight_kg
    )
    return estimate(duration_min=duration_min, activities=activities(exercises), weight=weight)


def exercise_categories(exercises: Sequence[Mapping[str, Any]]) -> list[str]:
    return sorted({str(e["category"]) for e in exercises})
