"""Weekly evaluators: workouts per week, active minutes per week, calorie adherence days."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fitness_platform.calendar import local_date
from goals.domain.evaluation import evaluate
from goals.domain.facts import Facts, GoalSpec, TargetChange, Workout

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def goal(goal_type: str, target: float, start: date, **kwargs: Any) -> GoalSpec:
    return GoalSpec(uuid.uuid4(), goal_type, target, start, **kwargs)


def workouts(*days: date, minutes: int = 30) -> dict[uuid.UUID, Workout]:
    return {uuid.uuid4(): Workout(d, minutes) for d in days}


def workout_at(started_at: datetime, zone: ZoneInfo) -> dict[uuid.UUID, Workout]:
    """As training writes it: the local day of the start in the user's zone."""
    return {uuid.uuid4(): Workout(local_date(started_at, zone), 30)}


MON = date(2026, 2, 23)  # ISO week 2026-W09: Mon 23 Feb .. Sun 1 Mar
THU_NOON = datetime(2026, 2, 26, 12, 0, tzinfo=UTC)


def test_workouts_this_week_give_progress_then_reach_the_target() -> None:
    g = goal("workouts_per_week", 3, MON)
    two = Facts(workouts=workouts(date(2026, 2, 23), date(2026, 2, 25)))
    result = evaluate(g, two, now=THU_NOON, zone=UTC_ZONE)
    assert (result.current, result.progress_pct, result.achieved) == (2.0, 66.7, False)
    # Thursday: 3 of 7 days are over, 3 × 3/7 ≈ 1.29 workouts were due → on track.
    assert result.evidence.expected_by_now == pytest.approx(1.29)
    assert result.on_track is True
    assert result.evidence.days_left_in_week == 4
    three = Facts(workouts=workouts(date(2026, 2, 23), date(2026, 2, 25), date(2026, 2, 26)))
    reached = evaluate(g, three, now=THU_NOON, zone=UTC_ZONE)
    assert (reached.progress_pct, reached.achieved, reached.on_track) == (100.0, True, True)


def test_a_workout_at_2330_local_counts_for_the_local_week_not_the_utc_one() -> None:
    g = goal("workouts_per_week", 3, MON)
    # Sunday 1 Mar 23:30 in New York is Monday 2 Mar 04:30 UTC: the next ISO week in UTC.
    late = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
    facts = Facts(
        workouts={
            **workouts(date(2026, 2, 24), date(2026, 2, 27)),
            **workout_at(late, NEW_YORK),
        }
    )
    now = datetime(2026, 3, 2, 4, 45, tzinfo=UTC)  # still Sunday 23:45 in New York
    in_ny = evaluate(g, facts, now=now, zone=NEW_YORK)
    assert in_ny.evidence.week_start == MON
    assert in_ny.current == 3.0
    assert in_ny.achieved
    # The same instant judged in UTC is already the next week, with nothing in it yet.
    in_utc = evaluate(g, Facts(workouts=workouts(date(2026, 2, 24))), now=now, zone=UTC_ZONE)
    assert in_utc.evidence.week_start == date(2026, 3, 2)
    assert in_utc.current == 0.0


def test_week_boundary_sunday_and_monday_are_different_weeks() -> None:
    g = goal("workouts_per_week", 2, MON)
    facts = Facts(workouts=workouts(date(2026, 3, 1), date(2026, 3, 2)))
    result = evaluate(g, facts, now=datetime(2026, 3, 3, 12, tzinfo=UTC), zone=UTC_ZONE)
    assert result.current == 1.0
    assert result.evidence.best_week == 1.0
    assert result.achieved is False


def test_a_deleted_workout_is_subtracted() -> None:
    g = goal("workouts_per_week", 2, MON)
    log = workouts(date(2026, 2, 23), date(2026, 2, 24))
    assert evaluate(g, Facts(workouts=log), now=THU_NOON, zone=UTC_ZONE).achieved
    first = next(iter(log))
    remaining = {k: v for k, v in log.items() if k != first}
    after = evaluate(g, Facts(workouts=remaining), now=THU_NOON, zone=UTC_ZONE)
    assert (after.current, after.achieved, after.progress_pct) == (1.0, False, 50.0)


def test_weekly_minutes_sum_durations_and_ignore_weeks_before_the_goal() -> None:
    g = goal("weekly_active_minutes", 150, MON)
    facts = Facts(
        workouts={
            **workouts(date(2026, 2, 16), minutes=200),  # the week before the goal
            **workouts(date(2026, 2, 23), date(2026, 2, 25), minutes=45),
        }
    )
    result = evaluate(g, facts, now=THU_NOON, zone=UTC_ZONE)
    assert (result.current, result.unit, result.achieved) == (90.0, "minutes", False)
    assert result.progress_pct == 60.0
    assert result.evidence.best_week_start == MON


def test_behind_pace_is_not_on_track_and_a_past_window_never_is() -> None:
    g = goal("workouts_per_week", 5, MON)
    sunday = datetime(2026, 3, 1, 12, tzinfo=UTC)
    facts = Facts(workouts=workouts(date(2026, 2, 23)))
    assert evaluate(g, facts, now=sunday, zone=UTC_ZONE).on_track is False
    ended = goal("workouts_per_week", 1, date(2026, 2, 2), end_date=date(2026, 2, 8))
    late = evaluate(ended, Facts(), now=sunday, zone=UTC_ZONE)
    assert (late.on_track, late.evidence.days_left_in_week) == (False, 0)


TARGET = (TargetChange(datetime(2026, 2, 20, 8, tzinfo=UTC), 2000.0),)


def test_calorie_adherence_judges_only_ended_days_within_tolerance() -> None:
    intake = {
        date(2026, 2, 23): 2100.0,  # +5 %: on target
        date(2026, 2, 24): 2300.0,  # +15 %: off
        date(2026, 2, 25): 1800.0,  # −10 %: the edge is inside
        date(2026, 2, 26): 2000.0,  # today: not judged yet
    }
    facts = Facts(intake_kcal=intake, targets=TARGET)
    g = goal("calorie_adherence", 3, MON, tolerance_pct=10.0)
    result = evaluate(g, facts, now=THU_NOON, zone=UTC_ZONE)
    assert (result.current, result.achieved, result.progress_pct) == (2.0, False, 66.7)
    assert result.evidence.daily_target_kcal == 2000.0
    assert result.on_track is True  # 3 days over: 3 × 3/7 ≈ 1.29 due
    two = goal("calorie_adherence", 2, MON)
    assert evaluate(two, facts, now=THU_NOON, zone=UTC_ZONE).achieved is True


def test_each_day_is_judged_against_the_target_in_force_that_day() -> None:
    targets = (*TARGET, TargetChange(datetime(2026, 2, 25, 6, tzinfo=UTC), 2500.0))
    facts = Facts(
        intake_kcal={date(2026, 2, 24): 2000.0, date(2026, 2, 25): 2000.0}, targets=targets
    )
    result = evaluate(goal("calorie_adherence", 2, MON), facts, now=THU_NOON, zone=UTC_ZONE)
    assert result.current == 1.0  # the 25th is −20 % of the new 2500 target
    assert result.evidence.daily_target_kcal == 2500.0


def test_days_without_a_target_or_intake_are_misses() -> None:
    facts = Facts(intake_kcal={date(2026, 2, 23): 2000.0})
    result = evaluate(goal("calorie_adherence", 1, MON), facts, now=THU_NOON, zone=UTC_ZONE)
    assert result.current == 0.0
    assert not result.achieved


def test_a_goal_starting_later_is_on_track_with_nothing_due() -> None:
    g = goal("workouts_per_week", 3, date(2026, 3, 9))
    result = evaluate(g, Facts(), now=THU_NOON, zone=UTC_ZONE)
    assert (result.current, result.progress_pct, result.achieved) == (0.0, 0.0, False)
    assert result.evidence.expected_by_now == 0.0
    assert result.on_track is True
