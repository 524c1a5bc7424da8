"""Evaluators per goal type: how far a goal is, whether it is reached and on track."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from uuid import UUID

from fitness_platform.calendar import iso_week_start, local_date
from goals.domain import periods
from goals.domain.facts import (
    CALORIE_ADHERENCE,
    DEFAULT_TOLERANCE_PCT,
    UNITS,
    WEEKLY_TYPES,
    WEIGHT_TARGET,
    Facts,
    GoalSpec,
)
from goals.domain.trend import trend_on, trend_series


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an evaluation was based on; only the fields of the goal's type are set."""

    start_weight_kg: float | None = None
    current_weight_kg: float | None = None
    target_weight_kg: float | None = None
    last_weight_kg: float | None = None
    last_weigh_in: date | None = None
    weigh_ins: int | None = None
    direction: str | None = None
    week_start: date | None = None
    this_week: float | None = None
    expected_by_now: float | None = None
    days_left_in_week: int | None = None
    best_week_start: date | None = None
    best_week: float | None = None
    daily_target_kcal: float | None = None
    tolerance_pct: float | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    goal_id: UUID
    type: str
    current: float | None
    target: float
    unit: str
    progress_pct: float
    achieved: bool
    on_track: bool
    evidence: Evidence


def evaluate(goal: GoalSpec, facts: Facts, *, now: datetime, zone: tzinfo) -> Evaluation:
    today = local_date(now, zone)
    if goal.type == WEIGHT_TARGET:
        return _weight(goal, facts, today)
    if goal.type in WEEKLY_TYPES or goal.type == CALORIE_ADHERENCE:
        return _weekly(goal, facts, today, zone)
    raise ValueError(f"unknown goal type {goal.type!r}")


def direction_for(target_kg: float, current_kg: float | None) -> str | None:
    """lose/gain from where the user is now (None while no weight is known)."""
    if current_kg is None:
        return None
    return "gain" if target_kg > current_kg else "lose"


def current_weight(facts: Facts, today: date) -> float | None:
    """The trend weight today, else the profile's weight."""
    point = trend_on(trend_series(facts.weigh_ins), today)
    return point.trend_kg if point is not None else facts.profile_weight_kg


def _pct(value: float) -> float:
    return round(min(100.0, max(0.0, value)), 1)


def _weight(goal: GoalSpec, facts: Facts, today: date) -> Evaluation:
    points = [p for p in trend_series(facts.weigh_ins) if p.day <= today]
    last = points[-1] if points else None
    current = last.trend_kg if last is not None else facts.profile_weight_kg
    start = goal.start_weight_kg
    if start is None:
        # Not known when the goal was set: the trend before the start day, else the first.
        before = trend_on(points, goal.start_date - timedelta(days=1))
        first = points[0].trend_kg if points else facts.profile_weight_kg
        start = before.trend_kg if before is not None else first
    target = goal.target_value
    direction = goal.direction or direction_for(target, start)
    achieved = False
    progress = 0.0
    moved = 0.0
    if current is not None and start is not None and direction is not None:
        sign = 1.0 if direction == "gain" else -1.0
        achieved = sign * (current - target) >= 0
        span = sign * (target - start)
        moved = sign * (current - start)
        progress = 100.0 if achieved else (100.0 * moved / span if span > 0 else 0.0)
    pct = 100.0 if achieved else _pct(progress)
    if achieved:
        on_track = True
    elif current is None or (goal.end_date is not None and today > goal.end_date):
        on_track = False
    elif goal.end_date is not None:
        # Linear pace over the window: the share of the distance due by today.
        total = max(1, (goal.end_date - goal.start_date).days)
        expected = 100.0 * max(0, (today - goal.start_date).days) / total
        on_track = pct >= min(100.0, expected)
    else:
        on_track = moved >= 0  # without a deadline: not moving away from the target
    return Evaluation(
        goal.id,
        goal.type,
        None if current is None else round(current, 2),
        target,
        UNITS[goal.type],
        pct,
        achieved,
        on_track,
        Evidence(
            start_weight_kg=None if start is None else round(start, 2),
            current_weight_kg=None if current is None else round(current, 2),
            target_weight_kg=target,
            last_weight_kg=last.weight_kg if last is not None else None,
            last_weigh_in=last.day if last is not None else None,
            weigh_ins=len(points),
            direction=direction,
        ),
    )


def _weekly(goal: GoalSpec, facts: Facts, today: date, zone: tzinfo) -> Evaluation:
    """Workouts/minutes per week, or days on target per week: reached once any ISO week of the
    goal's window scores the target; the current week is the progress shown."""
    target = goal.target_value
    last_day = today if goal.end_date is None else min(today, goal.end_date)
    first_week = iso_week_start(goal.start_date)
    week = iso_week_start(last_day)
    tolerance = goal.tolerance_pct if goal.tolerance_pct is not None else DEFAULT_TOLERANCE_PCT
    daily_target: float | None = None
    if goal.type == CALORIE_ADHERENCE:
        # Only ended days are judged: today's intake is not final yet.
        last_judged = min(last_day, today - timedelta(days=1))
        days = periods.judged_days(
            facts, first=goal.start_date, last=last_judged, tolerance_pct=tolerance, zone=zone
        )
        values: dict[date, float] = {}
        for result in days:
            if result.ok:
                monday = iso_week_start(result.day)
                values[monday] = values.get(monday, 0.0) + 1.0
        daily_target = periods.target_on(facts.targets, today, zone)
        elapsed = min(7, (last_judged - week).days + 1) if last_judged >= week else 0
    else:
        values = {
            w: v
            for w, v in periods.weekly_values(goal.type, facts, until=last_day).items()
            if w >= first_week
        }
        # Days of this week already over; today may still bring more.
        elapsed = (last_day - week).days if last_day == today else 7
    this_week = values.get(week, 0.0) if week >= first_week else 0.0
    best_start, best = max(values.items(), key=lambda kv: (kv[1], kv[0]), default=(None, 0.0))
    achieved = best >= target
    pct = 100.0 if achieved else _pct(100.0 * this_week / target)
    if today < goal.start_date:
        elapsed = 0  # not started: nothing is due yet
    expected = round(target * elapsed / 7, 2)
    window_over = goal.end_date is not None and today > goal.end_date
    on_track = achieved or (not window_over and this_week >= expected)
    return Evaluation(
        goal.id,
        goal.type,
        this_week,
        target,
        UNITS[goal.type],
        pct,
        achieved,
        on_track,
        Evidence(
            week_start=week,
            this_week=this_week,
            expected_by_now=expected,
            days_left_in_week=0 if window_over else 7 - (today - week).days,
            best_week_start=best_start,
            best_week=best,
            daily_target_kcal=daily_target,
            tolerance_pct=tolerance if goal.type == CALORIE_ADHERENCE else None,
        ),
    )
