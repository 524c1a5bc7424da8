"""What the analysis, forecast and reports read about a user: weigh-ins, intake days, workouts,
the nutrition target and the profile, loaded once per request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.calendar import age_on
from fitness_platform.projections.user_profiles import UserProfile
from progress import users
from progress.activity import repository as activity_repository
from progress.activity.models import IntakeDay, NutritionTarget, Workout
from progress.domain import hall
from progress.domain.analysis import Period, WeighIn
from progress.domain.forecast import DEFAULT_PAL, PAL_BY_ACTIVITY
from progress.weights import repository as weight_repository
from progress.weights.models import WeightEntry


@dataclass(frozen=True, slots=True)
class History:
    start: date
    end: date
    profile: UserProfile | None
    weights: Sequence[WeightEntry]
    intake: Sequence[IntakeDay]
    workouts: Sequence[Workout]
    target: NutritionTarget | None

    def period(self) -> Period:
        return Period(
            start=self.start,
            end=self.end,
            weigh_ins=[WeighIn(w.day, w.weight_kg, w.trend_kg) for w in self.weights],
            intake=[(i.day, i.kcal) for i in self.intake],
            target_kcal=self.target.daily_calories if self.target else None,
            maintenance_kcal=self.maintenance_kcal(),
            goal=self.profile.goal if self.profile else None,
        )

    def maintenance_kcal(self) -> float | None:
        """Nutrition's TDEE when it has calculated one, else Mifflin x PAL from the profile."""
        if self.target is not None:
            return self.target.tdee
        person = self.person()
        if person is None:
            return None
        b = hall.baseline(person, pal=pal_for(self.profile))
        return b.intake

    def person(self, *, weight_kg: float | None = None) -> hall.Person | None:
        p = self.profile
        if p is None or p.gender not in ("male", "female") or not p.birth_date or not p.height_cm:
            return None
        weight = weight_kg or (self.weights[-1].weight_kg if self.weights else p.weight_kg)
        if weight is None:
            return None
        return hall.Person(
            sex="male" if p.gender == "male" else "female",
            age=age_on(p.birth_date, self.end),
            height_m=p.height_cm / 100,
            weight_kg=weight,
        )


def pal_for(profile: UserProfile | None) -> float:
    if profile is None or profile.activity_level is None:
        return DEFAULT_PAL
    return PAL_BY_ACTIVITY.get(profile.activity_level, DEFAULT_PAL)


def missing_profile_fields(profile: UserProfile | None) -> list[str]:
    if profile is None:
        return ["gender", "birthDate", "heightCm"]
    missing = []
    if profile.gender not in ("male", "female"):
        missing.append("gender")
    if profile.birth_date is None:
        missing.append("birthDate")
    if profile.height_cm is None:
        missing.append("heightCm")
    return missing


async def load(
    session: AsyncSession, user_id: UUID, start: date, end: date, *, workouts: bool = True
) -> History:
    return History(
        start=start,
        end=end,
        profile=await users.profile(session, user_id),
        weights=await weight_repository.series(session, user_id, start, end),
        intake=await activity_repository.intake_days(session, user_id, start, end),
        workouts=(
            await activity_repository.workouts(session, user_id, start, end) if workouts else ()
        ),
        target=await activity_repository.target(session, user_id),
    )
