"""Profile read model: projection of identity's events, and what nutrition derives from it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.identity import ProfileSnapshot
from fitness_platform.calendar import age_on
from nutrition.calculations.schemas import CalculationInput
from nutrition.profiles import repository
from nutrition.profiles.models import UserProfile

log = logging.getLogger(__name__)

# Profile fields a calculation depends on (birth date → age).
CALCULATION_FIELDS = (
    "birth_date",
    "gender",
    "height_cm",
    "weight_kg",
    "activity_level",
    "goal",
    "target_rate_kg_per_week",
)
REQUIRED_FIELDS = ("birth_date", "gender", "height_cm", "weight_kg", "activity_level")


class ProfileIncompleteError(Exception):
    def __init__(self, missing: list[str], detail: str | None = None) -> None:
        self.missing = missing
        super().__init__(detail or "profile is missing " + ", ".join(missing))


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """Result of applying a snapshot: ``relevant`` when a calculation input changed."""

    profile: UserProfile | None
    relevant: bool


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_in(tz_name: str | None, *, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(zone(tz_name)).date()


def calculation_input(
    profile: UserProfile | None, *, today: date | None = None
) -> CalculationInput:
    """The calculator input a complete profile implies; raises ProfileIncompleteError."""
    if profile is None:
        raise ProfileIncompleteError(
            list(REQUIRED_FIELDS), "No profile is known for this user yet."
        )
    missing = [f for f in REQUIRED_FIELDS if getattr(profile, f) is None]
    if missing:
        raise ProfileIncompleteError(missing)
    assert profile.birth_date is not None
    assert profile.height_cm is not None  # checked above (REQUIRED_FIELDS)
    assert profile.weight_kg is not None
    day = today or today_in(profile.timezone)
    goal = profile.goal or "maintain"
    try:
        return CalculationInput(
            gender=profile.gender,
            age=age_on(profile.birth_date, day),
            height_cm=profile.height_cm,
            weight_kg=profile.weight_kg,
            activity_level=profile.activity_level,
            goal=goal,
            target_rate_kg_per_week=(
                None if goal == "maintain" else profile.target_rate_kg_per_week
            ),
        )
    except ValidationError as exc:
        bad = sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]})
        raise ProfileIncompleteError(
            bad, "The profile has values outside the calculator's bounds: " + ", ".join(bad)
        ) from exc


def _snapshot_values(snapshot: ProfileSnapshot) -> dict[str, Any]:
    return {
        "birth_date": snapshot.birth_date,
        "gender": snapshot.gender,
        "height_cm": snapshot.height_cm,
        "weight_kg": snapshot.weight_kg,
        "activity_level": snapshot.activity_level,
        "goal": snapshot.goal,
        "target_rate_kg_per_week": snapshot.target_rate_kg_per_week,
        "timezone": snapshot.timezone
        if zone(snapshot.timezone).key == snapshot.timezone
        else "UTC",
    }


async def on_registered(session: AsyncSession, *, user_id: UUID) -> None:
    await repository.ensure(session, user_id)


async def apply_snapshot(
    session: AsyncSession, *, user_id: UUID, snapshot: ProfileSnapshot, updated_at: datetime
) -> ProfileChange:
    """Store the snapshot unless an equal-or-newer one is already stored (out-of-order safe)."""
    current = await repository.get(session, user_id, for_update=True)
    if (
        current is not None
        and current.source_updated_at is not None
        and current.source_updated_at >= updated_at
    ):
        log.info("stale profile snapshot ignored", extra={"profile_user_id": str(user_id)})
        return ProfileChange(current, relevant=False)
    values = _snapshot_values(snapshot)
    relevant = current is None or any(getattr(current, f) != values[f] for f in CALCULATION_FIELDS)
    await repository.upsert(session, user_id, {**values, "source_updated_at": updated_at})
    profile = await repository.get(session, user_id)
    if profile is not None:
        await session.refresh(profile)
    return ProfileChange(profile, relevant=relevant)


async def get_profile(session: AsyncSession, *, user_id: UUID) -> UserProfile | None:
    return await repository.get(session, user_id)


async def timezone_of(session: AsyncSession, *, user_id: UUID) -> str:
    return await repository.timezone_of(session, user_id) or "UTC"
