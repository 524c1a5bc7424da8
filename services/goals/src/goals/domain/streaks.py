"""Streaks: consecutive successful periods in the user's timezone.

Calorie adherence is judged per day (intake within tolerance of that day's target); weekly
goals per ISO week (the week's workouts/minutes reach the target). Only ended periods are
judged; the current one is reported as in progress and never breaks a streak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from uuid import UUID

from fitness_platform.calendar import iso_week_start, local_date
from goals.domain import periods
from goals.domain.facts import (
    CALORIE_ADHERENCE,
    DEFAULT_TOLERANCE_PCT,
    WEEKLY_TYPES,
    Facts,
    GoalSpec,
)


@dataclass(frozen=True, slots=True)
class Streak:
    goal_id: UUID
    type: str
    period: str  # "day" | "week"
    current: int
    longest: int
    last_successful: date | None  # the day, or the Monday of the week
    in_progress: date | None  # the period not judged yet (None once the goal's window is over)
    judged: int


def first_period(goal: GoalSpec) -> date:
    return goal.start_date if goal.type == CALORIE_ADHERENCE else iso_week_start(goal.start_date)


def has_streaks(goal_type: str) -> bool:
    return goal_type == CALORIE_ADHERENCE or goal_type in WEEKLY_TYPES


def goal_streak(goal: GoalSpec, facts: Facts, *, now: datetime, zone: tzinfo) -> Streak:
    if not has_streaks(goal.type):
        raise ValueError(f"{goal.type} goals have no periods to streak")
    today = local_date(now, zone)
    if goal.type == CALORIE_ADHERENCE:
        last = periods.last_ended_day(now, zone)
        if goal.end_date is not None:
            last = min(last, goal.end_date)
        tolerance = goal.tolerance_pct if goal.tolerance_pct is not None else DEFAULT_TOLERANCE_PCT
        days = periods.judged_days(
            facts, first=goal.start_date, last=last, tolerance_pct=tolerance, zone=zone
        )
        starts = [d.day for d in days]
        outcomes = [d.ok for d in days]
        current_start = today
        kind = "day"
    else:
        starts = periods.ended_weeks(first_period(goal), now=now, zone=zone, last=goal.end_date)
        values = periods.weekly_values(goal.type, facts, until=today)
        outcomes = [values.get(week, 0.0) >= goal.target_value for week in starts]
        current_start = iso_week_start(today)
        kind = "week"
    not_started = today < goal.start_date if kind == "day" else today < first_period(goal)
    ended = goal.end_date is not None and current_start > goal.end_date
    open_period = None if not_started or ended else current_start
    count = periods.count_streak(outcomes)
    return Streak(
        goal.id,
        goal.type,
        kind,
        count.current,
        count.longest,
        starts[count.last_success] if count.last_success is not None else None,
        open_period,
        len(outcomes),
    )
