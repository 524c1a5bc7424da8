"""Weight-target evaluator: judged on the trend weight, direction from the start weight."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from goals.domain.evaluation import direction_for, evaluate
from goals.domain.facts import Facts, GoalSpec, Workout
from goals.domain.trend import WeighIn

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def goal(goal_type: str, target: float, start: date, **kwargs: Any) -> GoalSpec:
    return GoalSpec(uuid.uuid4(), goal_type, target, start, **kwargs)


def workouts(*days: date, minutes: int = 30) -> dict[uuid.UUID, Workout]:
    return {uuid.uuid4(): Workout(d, minutes) for d in days}


JAN1 = date(2026, 1, 1)


def _series(*weights: float, first: date = JAN1) -> tuple[WeighIn, ...]:
    return tuple(WeighIn(first + timedelta(days=i), w) for i, w in enumerate(weights))


def _now(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_progress_follows_the_trend_until_it_crosses_the_target() -> None:
    g = goal("weight_target", 79.5, JAN1, direction="lose")
    # Trend from 80 after k weigh-ins at 78: 78 + 2·0.9^k → 79.62 after two, 79.458 after three.
    two = Facts(weigh_ins=_series(80, 78, 78))
    result = evaluate(g, two, now=_now(date(2026, 1, 3)), zone=UTC_ZONE)
    assert result.current == pytest.approx(79.62)
    assert result.progress_pct == pytest.approx(76.0)
    assert result.achieved is False
    assert result.on_track is True
    three = Facts(weigh_ins=_series(80, 78, 78, 78))
    done = evaluate(g, three, now=_now(date(2026, 1, 4)), zone=UTC_ZONE)
    assert done.achieved
    assert done.progress_pct == 100.0
    assert done.evidence.start_weight_kg == 80.0
    assert done.evidence.last_weight_kg == 78.0


def test_one_noisy_low_weigh_in_does_not_reach_the_target() -> None:
    g = goal("weight_target", 75, JAN1, direction="lose")
    facts = Facts(weigh_ins=_series(*([80.0] * 10), 74.0))
    result = evaluate(g, facts, now=_now(date(2026, 1, 11)), zone=UTC_ZONE)
    assert result.evidence.last_weight_kg == 74.0
    assert result.current == pytest.approx(79.4)
    assert result.achieved is False
    assert result.progress_pct == pytest.approx(12.0)  # (80 − 79.4) / (80 − 75)


def test_gain_direction_is_inferred_when_not_stored() -> None:
    g = goal("weight_target", 85, JAN1)
    result = evaluate(
        g, Facts(weigh_ins=_series(80, 81)), now=_now(date(2026, 1, 2)), zone=UTC_ZONE
    )
    assert result.evidence.direction == "gain"
    assert result.progress_pct == pytest.approx(2.0)  # trend 80.1: 0.1 of 5 kg
    assert direction_for(70, 80) == "lose"
    assert direction_for(90, 80) == "gain"
    assert direction_for(90, None) is None


def test_without_weigh_ins_the_profile_weight_is_start_and_current() -> None:
    g = goal("weight_target", 80, JAN1)
    result = evaluate(g, Facts(profile_weight_kg=90), now=_now(JAN1), zone=UTC_ZONE)
    assert (result.current, result.progress_pct, result.achieved) == (90.0, 0.0, False)
    assert result.evidence.direction == "lose"


def test_no_weight_at_all_is_nothing_to_judge() -> None:
    result = evaluate(goal("weight_target", 80, JAN1), Facts(), now=_now(JAN1), zone=UTC_ZONE)
    assert (result.current, result.progress_pct, result.on_track) == (None, 0.0, False)


def test_with_an_end_date_on_track_means_at_least_the_linear_pace() -> None:
    g = goal("weight_target", 79.5, JAN1, end_date=date(2026, 1, 31), direction="lose")
    facts = Facts(weigh_ins=_series(80, 78, 78))  # 76 % done
    assert evaluate(g, facts, now=_now(date(2026, 1, 16)), zone=UTC_ZONE).on_track  # 50 % due
    assert not evaluate(g, facts, now=_now(date(2026, 1, 28)), zone=UTC_ZONE).on_track  # 90 %


def test_start_weight_is_the_trend_on_the_start_date() -> None:
    g = goal("weight_target", 70, date(2026, 1, 3), direction="lose")
    facts = Facts(weigh_ins=_series(80, 80, 80, 75))
    result = evaluate(g, facts, now=_now(date(2026, 1, 4)), zone=UTC_ZONE)
    assert result.evidence.start_weight_kg == 80.0
    assert result.current == pytest.approx(79.5)
    assert result.progress_pct == pytest.approx(5.0)


def test_a_start_weight_stored_with_the_goal_wins_over_later_weigh_ins() -> None:
    g = goal("weight_target", 78, JAN1, direction="lose", start_weight_kg=80.0)
    # Weighed only after setting the goal: 80 → 79 → 78 gives the trend 79.71.
    facts = Facts(weigh_ins=_series(80, 79, 78, first=date(2026, 1, 2)))
    result = evaluate(g, facts, now=_now(date(2026, 1, 4)), zone=UTC_ZONE)
    assert result.evidence.start_weight_kg == 80.0
    assert result.current == pytest.approx(79.71)
    assert result.progress_pct == pytest.approx(14.5)
