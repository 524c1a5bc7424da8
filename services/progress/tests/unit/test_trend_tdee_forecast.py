"""Trend (Hacker's Diet), adaptive TDEE and the forecast band/probability."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from progress.domain import forecast, hall, tdee, trend

D0 = date(2026, 1, 1)


def test_trend_matches_hand_computed_walker_values() -> None:
    # T1 = 80; T2 = 80 + 0.1 (81 - 80) = 80.1; T3 = 80.1 + 0.1 (79 - 80.1) = 79.99
    assert trend.series([80.0, 81.0, 79.0]) == pytest.approx([80.0, 80.1, 79.99])
    assert trend.series([81.0], seed=80.0) == pytest.approx([80.1])


def test_tdee_prior_when_too_little_data() -> None:
    est = tdee.estimate(
        weights=[(D0, 80.0)] * 3, intakes=[(D0, 2000.0)] * 20, prior_tdee=2500, fat_kg=None
    )
    assert est.method == "prior"
    assert est.tdee == 2500
    assert est.sd == pytest.approx(250)


def test_tdee_recovers_a_known_expenditure() -> None:
    """Synthetic user: eats 2,000 kcal/day and loses 0.1 kg/day exactly -> with the static
    7,700 kcal/kg the expenditure is 2,000 + 770 = 2,770 kcal/day."""
    days = [D0 + timedelta(days=i) for i in range(21)]
    weights = [(d, 90.0 - 0.1 * i) for i, d in enumerate(days)]
    intakes = [(d, 2000.0 + (50 if i % 2 else -50)) for i, d in enumerate(days)]
    est = tdee.estimate(weights=weights, intakes=intakes, prior_tdee=2500, fat_kg=None)
    assert est.method == "adaptive"
    assert est.tdee == pytest.approx(2000 + 770, abs=5)
    assert est.slope_kg_per_day == pytest.approx(-0.1)
    assert est.sd == tdee.MIN_ADAPTIVE_SD  # a noise-free line: only the floor is left


def test_tdee_band_grows_with_weight_noise() -> None:
    days = [D0 + timedelta(days=i) for i in range(28)]
    noise = [2.0 if i % 3 == 0 else -1.0 for i in range(28)]
    weights = [(d, 80.0 + n) for d, n in zip(days, noise, strict=True)]
    intakes = [(d, 2200.0) for d in days]
    est = tdee.estimate(weights=weights, intakes=intakes, prior_tdee=2500, fat_kg=20.0)
    assert est.method == "adaptive"
    assert est.kcal_per_kg == pytest.approx(hall.stored_energy_density(20.0))
    assert est.sd > tdee.MIN_ADAPTIVE_SD


def test_stored_energy_density_between_lean_and_fat() -> None:
    # 20 kg fat: p = 10.4 / 30.4 = 0.342 -> 0.342*1816.4 + 0.658*9440.7 = 6,832 kcal/kg
    assert hall.stored_energy_density(20.0) == pytest.approx(6832, abs=2)


def test_forecast_band_brackets_the_expectation_and_probability() -> None:
    b = hall.baseline(hall.Person("female", 35, 1.68, 85.0), pal=1.5)
    res = forecast.forecast(
        b,
        start_weight=85.0,
        intake_change=-500,
        intake_sd=200,
        days=180,
        target_weight=80.0,
        by_day=180,
    )
    assert len(res.expected) == 181
    assert all(lo <= m <= hi for lo, m, hi in zip(res.lower, res.expected, res.upper, strict=True))
    assert res.target_day is not None
    assert res.expected[res.target_day] <= 80.0 < res.expected[res.target_day - 1]
    # The expected curve reaches the target well before day 180: probability above 1/2.
    assert res.probability is not None
    assert 0.5 < res.probability <= 1.0
    # Unreachable in a week: probability near 0.
    week = forecast.forecast(
        b,
        start_weight=85.0,
        intake_change=-500,
        intake_sd=200,
        days=7,
        target_weight=80.0,
        by_day=7,
    )
    assert week.target_day is None
    assert week.probability is not None
    assert week.probability < 0.01


def test_probability_is_one_half_when_target_is_the_expected_weight() -> None:
    b = hall.baseline(hall.Person("male", 30, 1.8, 80.0), pal=1.55)
    mid = hall.simulate(b, intake_change=-300, days=90).weight[90]
    res = forecast.forecast(
        b,
        start_weight=80.0,
        intake_change=-300,
        intake_sd=150,
        days=90,
        target_weight=mid,
        by_day=90,
    )
    assert res.probability == pytest.approx(0.5, abs=0.01)


def test_normal_cdf() -> None:
    assert forecast.normal_cdf(0) == 0.5
    assert forecast.normal_cdf(forecast.BAND_Z) == pytest.approx(0.9)
