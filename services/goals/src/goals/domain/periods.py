"""Days and ISO weeks in the user's timezone: what each period scored and which are judged.

A period is judged only once it has ended in the user's zone (``fitness_platform.calendar``);
the current day/week is "in progress": it can still become a success, it is never a break.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from fitness_platform.calendar import day_has_ended, iso_week_start, local_date
from goals.domain.facts import WORKOUTS_PER_WEEK, Facts, TargetChange

WEEK = timedelta(days=7)
DAY = timedelta(days=1)


def weekly_values(goal_type: str, facts: Facts, *, until: date) -> dict[date, float]:
    """Workouts (count) or active minutes per ISO week (Monday), days after ``until`` ignored."""
    sums: dict[date, float] = {}
    for workout in facts.workouts.values():
        if workout.day > until:
            continue
        week = iso_week_start(workout.day)
        amount = 1.0 if goal_type == WORKOUTS_PER_WEEK else float(workout.duration_min)
        sums[week] = sums.get(week, 0.0) + amount
    return sums


def target_on(targets: Sequence[TargetChange], day: date, zone: tzinfo) -> float | None:
    """The nutrition target in force on the user's ``day``: the last one calculated on or
    before it (None before the first: a day without a target cannot be judged a success)."""
    found: TargetChange | None = None
    for change in sorted(targets, key=lambda t: t.at):
        if local_date(change.at, zone) > day:
            break
        found = change
    return found.daily_calories if found is not None else None


def within_tolerance(kcal: float | None, target: float | None, tolerance_pct: float) -> bool:
    """Logged intake within ±tolerance of the target (a day with nothing logged is a miss)."""
    if kcal is None or target is None or target <= 0:
        return False
    return abs(kcal - target) <= target * tolerance_pct / 100.0


@dataclass(frozen=True, slots=True)
class DayResult:
    day: date
    kcal: float | None
    target: float | None
    ok: bool


def judged_days(
    facts: Facts, *, first: date, last: date, tolerance_pct: float, zone: tzinfo
) -> list[DayResult]:
    """Calorie adherence of each day from ``first`` to ``last`` inclusive."""
    # One pass over the targets in time order (a long window is judged on every event).
    changes = [
        (local_date(t.at, zone), t.daily_calories)
        for t in sorted(facts.targets, key=lambda t: t.at)
    ]
    index = 0
    target: float | None = None
    results: list[DayResult] = []
    day = first
    while day <= last:
        while index < len(changes) and changes[index][0] <= day:
            target = changes[index][1]
            index += 1
        kcal = facts.intake_kcal.get(day)
        results.append(DayResult(day, kcal, target, within_tolerance(kcal, target, tolerance_pct)))
        day += DAY
    return results


def last_ended_day(now: datetime, zone: tzinfo) -> date:
    """Yesterday in the user's zone: the latest day that can be judged."""
    return local_date(now, zone) - DAY


def ended_weeks(first_week: date, *, now: datetime, zone: tzinfo, last: date | None) -> list[date]:
    """Mondays from ``first_week`` whose Sunday is over in ``zone`` (and not after ``last``)."""
    weeks: list[date] = []
    week = first_week
    while day_has_ended(week + timedelta(days=6), zone, now) and (last is None or week <= last):
        weeks.append(week)
        week += WEEK
    return weeks


@dataclass(frozen=True, slots=True)
class StreakCount:
    current: int
    longest: int
    last_success: int | None  # index of the last successful period


def count_streak(outcomes: Iterable[bool]) -> StreakCount:
    """Consecutive successes: the run ending at the last judged period, and the longest run."""
    current = longest = 0
    last: int | None = None
    for index, ok in enumerate(outcomes):
        if ok:
            current += 1
            longest = max(longest, current)
            last = index
        else:
            current = 0
    return StreakCount(current, longest, last)
