"""Use cases: check the last completed week against the targets; list achievements."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.nutrition import AchievementUnlockedV1
from fitness_platform.outbox import add_event
from fitness_platform.pagination import Page, PageParams
from nutrition.achievements import repository
from nutrition.achievements.models import Achievement
from nutrition.achievements.schemas import AchievementCheckOut, AchievementOut
from nutrition.calculations import service as calculation_service
from nutrition.diary import repository as diary_repository
from nutrition.diary.models import DiaryEntry
from nutrition.domain import achievements as rules
from nutrition.profiles import service as profile_service


def to_out(row: Achievement) -> AchievementOut:
    return AchievementOut(
        id=row.id,
        code=row.code,
        week_start=row.week_start,
        unlocked_at=row.unlocked_at,
        details=row.details,
    )


async def _evaluate(
    session: AsyncSession, *, user_id: UUID, start: date, entries: list[DiaryEntry]
) -> list[tuple[str, dict[str, Any]]]:
    """The domain's weekly rules over the diary: (code, details) of each earned achievement."""
    totals: dict[date, rules.DayIntake] = {}
    for day in sorted({e.day for e in entries}):
        of_day = [e for e in entries if e.day == day]
        totals[day] = rules.DayIntake(
            kcal=sum(e.kcal for e in of_day), protein_g=sum(e.protein_g for e in of_day)
        )
    current = await calculation_service.current_targets(session=session, user_id=user_id)
    result = rules.evaluate_week(
        week_start=start,
        daily_totals=totals,
        # Without targets only the logging streak can be judged (the others need a target).
        target_kcal=current.daily_calories if current else 1.0,
        target_protein_g=current.macros.protein_g if current else 1.0,
        logged_days=frozenset(totals),
    )
    earned = [
        code for code in result.earned if current is not None or code == rules.LOGGED_EVERY_DAY
    ]
    details = {
        "calorieDays": result.calorie_days,
        "proteinDays": result.protein_days,
        "loggedDays": result.logged_days,
        "targetKcal": current.daily_calories if current else None,
        "targetProteinG": current.macros.protein_g if current else None,
    }
    return [(code, details) for code in earned]


async def check_last_week(
    *, session: AsyncSession, user_id: UUID, now: datetime | None = None
) -> AchievementCheckOut:
    tz = await profile_service.timezone_of(session, user_id=user_id)
    start, end = rules.last_completed_week(now or datetime.now(UTC), tz)
    entries = await diary_repository.for_range(session, user_id=user_id, start=start, end=end)
    unlocked: list[Achievement] = []
    for code, details in await _evaluate(session, user_id=user_id, start=start, entries=entries):
        row = await repository.insert_once(
            session, user_id=user_id, code=code, week_start=start, details=details
        )
        if row is None:
            continue
        unlocked.append(row)
        await add_event(
            session,
            AchievementUnlockedV1(
                user_id=user_id,
                achievement_id=row.id,
                code=code,
                week_start=start,
                unlocked_at=row.unlocked_at or datetime.now(UTC),
            ),
            key=str(user_id),
        )
    await session.commit()
    new_ids = {r.id for r in unlocked}
    week = await repository.for_week(session, user_id=user_id, week_start=start)
    return AchievementCheckOut(
        week_start=start,
        week_end=end,
        unlocked=[to_out(r) for r in unlocked],
        already_unlocked=[to_out(r) for r in week if r.id not in new_ids],
    )


async def list_achievements(
    *, session: AsyncSession, user_id: UUID, params: PageParams
) -> Page[AchievementOut]:
    rows, total = await repository.page(
        session, user_id=user_id, offset=params.offset, limit=params.limit
    )
    return Page[AchievementOut].of([to_out(r) for r in rows], params, total)
