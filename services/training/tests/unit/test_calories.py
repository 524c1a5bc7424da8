"""Calories from Compendium METs against the published reference values (DOMAIN.md)."""

from __future__ import annotations

from datetime import date

import pytest

from training.domain.calories import (
    DEFAULT_WEIGHT_KG,
    Activity,
    BodyWeight,
    allot_minutes,
    estimate,
    kcal,
    weight_on,
)

RUN_6MPH = Activity(exercise_id=9, name="Running, 6 mph", met=9.8, duration_min=None)


def test_70kg_running_6mph_for_30_min_is_343_kcal() -> None:
    # Ainsworth 2011: 9.8 MET × 70 kg × 0.5 h = 343 kcal (1 MET = 1 kcal/kg/h).
    assert kcal(9.8, 70, 30) == pytest.approx(343.0)
    result = estimate(duration_min=30, activities=[RUN_6MPH], weight=BodyWeight(70, "default"))
    assert result is not None
    assert result.total_kcal == 343.0
    assert result.activities[0].minutes == 30


def test_82kg_at_9_8_met_for_30_min_is_401_8_kcal() -> None:
    result = estimate(duration_min=30, activities=[RUN_6MPH], weight=BodyWeight(82, "measurement"))
    assert result is not None
    assert result.total_kcal == 401.8


def test_exercises_without_duration_share_the_rest_equally() -> None:
    assert allot_minutes(60, [20, None, None]) == [20, 20, 20]
    assert allot_minutes(30, [None, None, None]) == [10, 10, 10]
    assert allot_minutes(30, [30, None]) == [30, 0]
    walk = Activity(3, "Walking, brisk", 4.3, 10)
    lift = Activity(29, "Weight lifting", 3.5, None)
    result = estimate(
        duration_min=50, activities=[walk, lift, RUN_6MPH], weight=BodyWeight(80, "profile")
    )
    assert result is not None
    # walk 10 min, the other two 20 min each: 4.3×80/6 + 3.5×80/3 + 9.8×80/3
    assert [a.minutes for a in result.activities] == [10, 20, 20]
    assert result.total_kcal == round(4.3 * 80 / 6 + 3.5 * 80 / 3 + 9.8 * 80 / 3, 1)
    assert result.total_kcal == 412.0


def test_no_exercises_no_estimate() -> None:
    assert estimate(duration_min=45, activities=[], weight=BodyWeight(70, "default")) is None


def test_workouts_before_and_after_a_weight_change_use_their_own_day() -> None:
    weights = [(date(2026, 3, 1), 82.0), (date(2026, 3, 15), 78.0)]
    before = weight_on(date(2026, 3, 10), weights, profile_weight_kg=90)
    after = weight_on(date(2026, 3, 20), weights, profile_weight_kg=90)
    same_day = weight_on(date(2026, 3, 15), weights, profile_weight_kg=90)
    assert (before.kg, before.source, before.measured_on) == (82.0, "measurement", date(2026, 3, 1))
    assert (after.kg, after.measured_on) == (78.0, date(2026, 3, 15))
    assert same_day.kg == 78.0
    r_before = estimate(duration_min=30, activities=[RUN_6MPH], weight=before)
    r_after = estimate(duration_min=30, activities=[RUN_6MPH], weight=after)
    assert r_before is not None
    assert r_after is not None
    assert r_before.total_kcal == 401.8
    assert r_after.total_kcal == round(9.8 * 78 * 0.5, 1) == 382.2


def test_before_any_weigh_in_the_profile_then_the_default_weight() -> None:
    weights = [(date(2026, 3, 1), 82.0)]
    profile = weight_on(date(2026, 2, 1), weights, profile_weight_kg=90)
    default = weight_on(date(2026, 2, 1), weights, profile_weight_kg=None)
    assert (profile.kg, profile.source, profile.measured_on) == (90, "profile", None)
    assert (default.kg, default.source) == (DEFAULT_WEIGHT_KG, "default")
    assert DEFAULT_WEIGHT_KG == 70.0
