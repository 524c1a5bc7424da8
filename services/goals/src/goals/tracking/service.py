"""Evaluation, auto-update and streaks of a user's goals from the read models.

``apply_progress`` is the one code path the API (POST /goals/auto-update) and the consumer (on
each relevant event) share; it writes in the caller's transaction and never commits.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi.exceptions import RequestValidationError
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.goals import GoalAchievedV1, GoalUpdatedV1
from fitness_platform.outbox import add_event
from fitness_platform.problems import NotFound
from fitness_platform.projections.user_profiles import get_profile, zone_or_utc
from goals.domain.evaluation import Evaluation, evaluate
from goals.domain.facts import Facts, GoalSpec
from goals.domain.streaks import Streak, goal_streak, has_streaks
from goals.goals import repository as goals_repo
from goals.goals import service as goals_service
from goals.goals.models import Goal
from goals.readmodels import repository as readmodels
from goals.tracking.schemas import (
    AutoUpdateOut,
    EvaluationOut,
    EvaluationsOut,
    EvidenceOut,
    GoalChangeOut,
    StreakOut,
    StreaksOut,
)

log = logging.getLogger(__name__)

GOALS_ACHIEVED = Counter(
    "goals_achieved_total", "Goals reached by evaluation (achieved event written)", ["type"]
)
GOALS_PROGRESSED = Counter(
    "goals_progress_updates_total", "Stored progress changes of active goals", ["type"]
)


@dataclass(frozen=True, slots=True)
class GoalChange:
    goal_id: UUID
    type: str
    status: str
    progress_before: float | None
    progress_after: float
    achieved: bool


def spec(goal: Goal) -> GoalSpec:
    return GoalSpec(
        id=goal.id,
        type=goal.type,
        target_value=goal.target_value,
        start_date=goal.start_date,
        end_date=goal.end_date,
        tolerance_pct=goal.tolerance_pct,
        direction=goal.direction,
        start_weight_kg=goal.start_weight_kg,
    )


async def _context(session: AsyncSession, user_id: UUID) -> tuple[Facts, ZoneInfo]:
    profile = await get_profile(session, user_id)
    zone = profile.zone if profile is not None else zone_or_utc(None)
    return await readmodels.load_facts(session, user_id), zone


def _evaluation_out(result: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        goal_id=result.goal_id,
        type=result.type,
        current=result.current,
        target=result.target,
        unit=result.unit,
        progress_pct=result.progress_pct,
        achieved=result.achieved,
        on_track=result.on_track,
        evidence=EvidenceOut(**asdict(result.evidence)),
    )


async def evaluate_goals(*, session: AsyncSession, user_id: UUID) -> EvaluationsOut:
    """Every active goal of the user, evaluated now (nothing stored)."""
    now = datetime.now(UTC)
    facts, zone = await _context(session, user_id)
    goals = await goals_repo.list_for_user(session, user_id, status="active")
    results = [evaluate(spec(g), facts, now=now, zone=zone) for g in goals]
    return EvaluationsOut(
        evaluated_at=now, timezone=zone.key, goals=[_evaluation_out(r) for r in results]
    )


async def apply_progress(
    session: AsyncSession, user_id: UUID, *, now: datetime | None = None
) -> list[GoalChange]:
    """Store what evaluation found for each active goal; a goal reached is completed and its
    achieved event written (once: the repository's guarded update). Idempotent: re-running on
    the same read models changes nothing."""
    now = now or datetime.now(UTC)
    goals = await goals_repo.active_for_update(session, user_id)
    if not goals:
        return []
    facts, zone = await _context(session, user_id)
    changes: list[GoalChange] = []
    for goal in goals:
        result = evaluate(spec(goal), facts, now=now, zone=zone)
        before = goal.progress_pct
        values = {
            "progress_pct": result.progress_pct,
            "current_value": result.current,
            "evaluated_at": now,
        }
        if result.achieved:
            if not await goals_repo.mark_achieved(session, goal_id=goal.id, at=now, values=values):
                continue
            await session.refresh(goal)
            await add_event(
                session,
                GoalAchievedV1(
                    goal=goals_service.snapshot(goal),
                    current_value=result.current if result.current is not None else 0.0,
                    achieved_at=now,
                ),
                key=str(user_id),
            )
            GOALS_ACHIEVED.labels(goal.type).inc()
            log.info("goal achieved", extra={"goal_id": str(goal.id), "goal_type": goal.type})
        elif before != result.progress_pct or goal.current_value != result.current:
            changed = [
                name
                for name, old, new in (
                    ("progressPct", before, result.progress_pct),
                    ("currentValue", goal.current_value, result.current),
                )
                if old != new
            ]
            GOALS_PROGRESSED.labels(goal.type).inc()
            goal.progress_pct = result.progress_pct
            goal.current_value = result.current
            goal.evaluated_at = now
            goal.updated_at = now
            await add_event(
                session,
                GoalUpdatedV1(
                    goal=goals_service.snapshot(goal), changed_fields=changed, updated_at=now
                ),
                key=str(user_id),
            )
        else:
            continue
        changes.append(
            GoalChange(
                goal.id, goal.type, goal.status, before, result.progress_pct, result.achieved
            )
        )
    await session.flush()
    return changes


async def auto_update(*, session: AsyncSession, user_id: UUID) -> AutoUpdateOut:
    now = datetime.now(UTC)
    changes = await apply_progress(session, user_id, now=now)
    await session.commit()
    return AutoUpdateOut(
        evaluated_at=now,
        changes=[GoalChangeOut(**asdict(c)) for c in changes],
    )


def _streak_out(streak: Streak) -> StreakOut:
    return StreakOut(
        goal_id=streak.goal_id,
        type=streak.type,
        period=streak.period,
        current=streak.current,
        longest=streak.longest,
        last_successful_period=streak.last_successful,
        in_progress_period=streak.in_progress,
        judged_periods=streak.judged,
    )


async def streaks(*, session: AsyncSession, user_id: UUID, goal_id: UUID | None) -> StreaksOut:
    """One goal's streak, or every non-abandoned daily/weekly goal's."""
    now = datetime.now(UTC)
    goals = await goals_repo.list_for_user(session, user_id, goal_id=goal_id)
    if goal_id is not None:
        if not goals:
            raise NotFound("No such goal.")
        if not has_streaks(goals[0].type):
            raise RequestValidationError(
                [
                    {
                        "loc": ("body", "goalId"),
                        "msg": "weight targets have no periods: streaks are for daily and "
                        "weekly goals",
                        "type": "value_error",
                    }
                ]
            )
    else:
        goals = [g for g in goals if has_streaks(g.type) and g.status != "abandoned"]
    facts, zone = await _context(session, user_id)
    return StreaksOut(
        timezone=zone.key,
        streaks=[_streak_out(goal_streak(spec(g), facts, now=now, zone=zone)) for g in goals],
    )
