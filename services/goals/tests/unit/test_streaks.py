"""Streak rules: days for calorie adherence, ISO weeks for weekly goals, in the user's zone;
only ended periods are judged, the current one is in progress (never a break)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from goals.domain.facts import Facts, GoalSpec, TargetChange, Workout
from goals.domain.periods import count_streak
from goals.domain.streaks import goal_streak

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def goal(goal_type: str, target: float, start: date, **kwargs: Any) -> GoalSpec:
    return GoalSpec(uuid.uuid4(), goal_type, target, start, **kwargs)


def workouts(*days: date, minutes: int = 30) -> dict[uuid.UUID, Workout]:
    return {uuid.uuid4(): Workout(d, minutes) for d in days}


TARGET = (TargetChange(datetime(2026, 1, 1, tzinfo=UTC), 2000.0),)


def _intake(days: dict[date, float]) -> Facts:
    return Facts(intake_kcal=days, targets=TARGET)


def test_count_streak_current_and_longest() -> None:
    count = count_streak([True, True, False, True, True, True, False, True])
    assert (count.current, count.longest, count.last_success) == (1, 3, 7)
    assert count_streak([]).current == 0


def test_daily_streak_ends_yesterday_and_today_is_in_progress() -> None:
    start = date(2026, 2, 20)
    days = {start + timedelta(days=i): 2000.0 for i in range(6)}
    days[date(2026, 2, 22)] = 3000.0  # a miss
    g = goal("calorie_adherence", 5, start, tolerance_pct=10.0)
    streak = goal_streak(g, _intake(days), now=datetime(2026, 2, 26, 12, tzinfo=UTC), zone=UTC_ZONE)
    assert (streak.period, streak.current, streak.longest) == ("day", 3, 3)
    assert streak.last_successful == date(2026, 2, 25)
    assert streak.in_progress == date(2026, 2, 26)  # nothing logged today, still not a break
    assert streak.judged == 6


def test_a_day_is_judged_only_once_it_has_ended_in_the_users_zone() -> None:
    start = date(2026, 2, 23)
    days = {start: 2000.0, date(2026, 2, 24): 2000.0}
    g = goal("calorie_adherence", 5, start)
    # 03:00 UTC on the 25th is 22:00 on the 24th in New York: the 24th is still in progress.
    now = datetime(2026, 2, 25, 3, tzinfo=UTC)
    ny = goal_streak(g, _intake(days), now=now, zone=NEW_YORK)
    assert (ny.current, ny.in_progress, ny.judged) == (1, date(2026, 2, 24), 1)
    utc = goal_streak(g, _intake(days), now=now, zone=UTC_ZONE)
    assert (utc.current, utc.in_progress) == (2, date(2026, 2, 25))


@pytest.mark.parametrize(
    ("now", "ended"),
    [
        # Berlin springs forward on Sun 29 Mar 2026 (CET+1 → CEST+2): that day has 23 hours.
        (datetime(2026, 3, 29, 21, 30, tzinfo=UTC), False),  # 23:30 CEST
        (datetime(2026, 3, 29, 22, 5, tzinfo=UTC), True),  # 00:05 CEST on the 30th
    ],
)
def test_dst_spring_forward_day_ends_an_hour_earlier_in_utc(now: datetime, ended: bool) -> None:
    start = date(2026, 3, 27)
    days = {start: 2000.0, date(2026, 3, 28): 2000.0, date(2026, 3, 29): 2000.0}
    streak = goal_streak(goal("calorie_adherence", 3, start), _intake(days), now=now, zone=BERLIN)
    assert streak.current == (3 if ended else 2)


@pytest.mark.parametrize(
    ("now", "ended"),
    [
        # Berlin falls back on Sun 25 Oct 2026 (CEST+2 → CET+1): that day has 25 hours.
        (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), False),  # 23:30 CET
        (datetime(2026, 10, 25, 23, 5, tzinfo=UTC), True),  # 00:05 CET on the 26th
    ],
)
def test_dst_fall_back_day_ends_an_hour_later_in_utc(now: datetime, ended: bool) -> None:
    start = date(2026, 10, 24)
    days = {start: 2000.0, date(2026, 10, 25): 2000.0}
    streak = goal_streak(goal("calorie_adherence", 2, start), _intake(days), now=now, zone=BERLIN)
    assert streak.current == (2 if ended else 1)


def test_weekly_streak_over_iso_weeks_current_week_not_a_break() -> None:
    start = date(2026, 2, 2)  # Monday
    log = {
        **workouts(date(2026, 2, 2), date(2026, 2, 4), date(2026, 2, 8)),  # W06: 3
        **workouts(date(2026, 2, 9), date(2026, 2, 10), date(2026, 2, 15)),  # W07: 3
        **workouts(date(2026, 2, 17)),  # W08: 1
        **workouts(date(2026, 2, 23), date(2026, 2, 24), date(2026, 3, 1)),  # W09: 3
    }
    g = goal("workouts_per_week", 3, start)
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)  # Wednesday of W10, nothing yet
    streak = goal_streak(g, Facts(workouts=log), now=now, zone=UTC_ZONE)
    assert (streak.period, streak.current, streak.longest, streak.judged) == ("week", 1, 2, 4)
    assert streak.last_successful == date(2026, 2, 23)
    assert streak.in_progress == date(2026, 3, 2)


def test_the_week_ends_on_sunday_night_in_the_users_zone() -> None:
    g = goal("weekly_active_minutes", 60, date(2026, 2, 23))
    facts = Facts(workouts=workouts(date(2026, 2, 24), minutes=60))
    now = datetime(2026, 3, 2, 4, 45, tzinfo=UTC)  # Monday in UTC, Sunday 23:45 in New York
    ny = goal_streak(g, facts, now=now, zone=NEW_YORK)
    assert (ny.judged, ny.current, ny.in_progress) == (0, 0, date(2026, 2, 23))
    utc = goal_streak(g, facts, now=now, zone=UTC_ZONE)
    assert (utc.judged, utc.current, utc.in_progress) == (1, 1, date(2026, 3, 2))


def test_future_goal_has_nothing_in_progress_and_ended_goal_stops_at_its_end() -> None:
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    future = goal_streak(
        goal("calorie_adherence", 3, date(2026, 4, 1)), Facts(), now=now, zone=UTC_ZONE
    )
    assert (future.judged, future.in_progress) == (0, None)
    ended = goal("workouts_per_week", 1, date(2026, 2, 2), end_date=date(2026, 2, 15))
    streak = goal_streak(ended, Facts(workouts=workouts(date(2026, 2, 20))), now=now, zone=UTC_ZONE)
    assert (streak.judged, streak.current, streak.in_progress) == (2, 0, None)


def test_weight_targets_have_no_streak() -> None:
    with pytest.raises(ValueError, match="no periods"):
        goal_streak(
            goal("weight_target", 70, date(2026, 1, 1)),
            Facts(),
            now=datetime.now(UTC),
            zone=UTC_ZONE,
        )
