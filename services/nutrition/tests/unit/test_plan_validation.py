"""Plan validation: a known bad day gives exactly the expected violations."""

from __future__ import annotations

from nutrition.domain.plan_types import MacroTargets, NutrientTotals
from nutrition.domain.plan_validation import validate_plan

TARGETS = MacroTargets(kcal=2000, protein_g=120, fat_g=67, carbs_g=250)


def _day(**overrides: float | None) -> NutrientTotals:
    base: dict[str, float | None] = {
        "kcal": 2000.0,
        "protein_g": 120.0,  # 24 % of energy
        "fat_g": 60.0,  # 27 %
        "carbs_g": 245.0,  # 49 %
        "sat_fat_g": 15.0,  # 6.75 %
        "sugars_g": 30.0,  # 6 %
        "fiber_g": 30.0,  # ≥ 28
        "sodium_mg": 1800.0,
    }
    base.update(overrides)
    return NutrientTotals(**base)  # type: ignore[arg-type]


def test_good_day_has_no_violations() -> None:
    result = validate_plan([_day()], targets=TARGETS, weight_kg=80)
    assert result.ok
    assert {c.status for c in result.days[0].checks} == {"ok"}


def test_known_bad_day_exact_violations() -> None:
    bad = _day(
        kcal=2500.0,  # +25 % of target; band 1800–2200 → high, 13.6 % over 2200: warning
        protein_g=50.0,  # < max(108, 0.8·80 = 64) → low, 53.7 % under: critical
        fat_g=110.0,  # 39.6 % of 2500; max 35 % = 97.2 g → high, 13.1 %: warning
        carbs_g=300.0,  # 48 %: ok
        sat_fat_g=40.0,  # 14.4 %; max 27.8 g → high, 44 %: critical
        sugars_g=65.0,  # 10.4 %; max 62.5 g → high, 4 %: info
        fiber_g=20.0,  # needs 35 g → low, 42.9 %: critical
        sodium_mg=2400.0,  # > 2300 → high, 4.3 %: info
    )
    result = validate_plan([_day(), bad], targets=TARGETS, weight_kg=80)
    assert result.days[0].violations == ()
    got = {(v.day, v.nutrient, v.status, v.severity) for v in result.violations}
    assert got == {
        (1, "kcal", "high", "warning"),
        (1, "protein_g", "low", "critical"),
        (1, "fat_g", "high", "warning"),
        (1, "sat_fat_g", "high", "critical"),
        (1, "sugars_g", "high", "info"),
        (1, "fiber_g", "low", "critical"),
        (1, "sodium_mg", "high", "info"),
    }
    protein = next(v for v in result.violations if v.nutrient == "protein_g")
    # 108 − 50 = 58 g missing → 187 g, rounded to 175 g of chicken breast (31 g protein/100 g, SR28 05064).
    assert protein.suggestion == "add ~58 g protein: e.g. 175 g chicken breast (roasted)"
    checks = {c.nutrient: c for c in result.days[1].checks}
    assert checks["carbs_g"].status == "ok"
    assert checks["protein_g"].low == 108.0
    assert checks["sodium_mg"].high == 2300.0


def test_missing_values_are_unknown_not_zero() -> None:
    day = _day(fiber_g=None, sodium_mg=None, sugars_g=None)
    result = validate_plan([day], targets=TARGETS)
    statuses = {c.nutrient: c.status for c in result.days[0].checks}
    assert statuses["fiber_g"] == "unknown"
    assert statuses["sodium_mg"] == "unknown"
    assert statuses["sugars_g"] == "unknown"
    assert result.ok  # unknown is reported, not a violation


def test_empty_day_is_critical_low_energy_with_shares_unknown() -> None:
    result = validate_plan([_day(kcal=0.0, protein_g=0.0, fat_g=0.0, carbs_g=0.0)], targets=TARGETS)
    by = {c.nutrient: c.status for c in result.days[0].checks}
    assert by["kcal"] == "low"
    assert by["fat_g"] == "unknown"
    kcal = next(v for v in result.violations if v.nutrient == "kcal")
    assert kcal.severity == "critical"
