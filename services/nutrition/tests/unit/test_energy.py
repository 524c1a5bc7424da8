"""Energy targets: formulas against published worked examples, warnings, AMDR property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutrition.domain import energy


def test_mifflin_published_female_example() -> None:
    # readitnowonline.com (2020) worked example of Mifflin-St Jeor: woman, 30 y, 170 cm, 65 kg:
    # (10 × 65) + (6.25 × 170) − (5 × 30) − 161 = 1,401.5 kcal.
    bmr = energy.mifflin_st_jeor(sex="female", weight_kg=65, height_cm=170, age=30)
    assert bmr == pytest.approx(1401.5)


def test_mifflin_male_example() -> None:
    # 10·80 + 6.25·180 − 5·30 + 5 = 1780 (Mifflin et al. 1990 equation, male constant +5).
    assert energy.mifflin_st_jeor(sex="male", weight_kg=80, height_cm=180, age=30) == 1780


def test_katch_mcardle_published_example() -> None:
    # denstarfitness.com Katch-McArdle example: 80 kg, 18 % fat → LBM 65.6 kg →
    # 370 + 21.6 × 65.6 = 1,786.96 ≈ 1,787 kcal/day.
    assert energy.katch_mcardle(weight_kg=80, body_fat_pct=18) == pytest.approx(1786.96)
    # math.andyou.com: 160 lb at 25 % fat → 120 lb lean → 1546 kcal/day.
    lean_lb = 120.0
    weight_kg = lean_lb / 0.75 * 0.45359237
    assert round(energy.katch_mcardle(weight_kg=weight_kg, body_fat_pct=25)) == 1546


def test_formula_choice_is_reported() -> None:
    common = {"sex": "male", "age": 30, "height_cm": 180.0, "weight_kg": 80.0}
    plain = energy.energy_targets(**common, activity_level="sedentary")
    with_fat = energy.energy_targets(**common, activity_level="sedentary", body_fat_pct=18)
    assert plain.formula == "mifflin_st_jeor"
    assert plain.bmr == 1780
    assert with_fat.formula == "katch_mcardle"
    assert with_fat.bmr == pytest.approx(1787.0)


@pytest.mark.parametrize(
    ("level", "factor"),
    [
        ("sedentary", 1.2),
        ("light", 1.375),
        ("moderate", 1.55),
        ("active", 1.725),
        ("very_active", 1.9),
    ],
)
def test_tdee_factors(level: energy.ActivityLevel, factor: float) -> None:
    result = energy.energy_targets(
        sex="male", age=30, height_cm=180, weight_kg=80, activity_level=level
    )
    assert result.tdee == pytest.approx(1780 * factor, abs=0.05)
    assert result.daily_calories == round(1780 * factor)  # maintain: no adjustment
    assert result.warnings == ()


def test_lose_subtracts_rate_times_7700_over_7() -> None:
    result = energy.energy_targets(
        sex="male",
        age=30,
        height_cm=180,
        weight_kg=80,
        activity_level="moderate",
        goal="lose",
        target_rate_kg_per_week=0.5,
    )
    # 1780 × 1.55 = 2759; 0.5 × 7700 / 7 = 550 → 2209.
    assert result.daily_calories == 2209
    gain = energy.energy_targets(
        sex="male",
        age=30,
        height_cm=180,
        weight_kg=80,
        activity_level="moderate",
        goal="gain",
        target_rate_kg_per_week=0.25,
    )
    assert gain.daily_calories == 2759 + 275


def test_floor_clamp_and_rate_warning() -> None:
    # Woman, 60 y, 155 cm, 50 kg, sedentary: BMR 500 + 968.75 − 300 − 161 = 1007.75,
    # TDEE 1209.3; losing 1 kg/week (1100 kcal/day) would give 109 kcal → clamped to 1200.
    result = energy.energy_targets(
        sex="female",
        age=60,
        height_cm=155,
        weight_kg=50,
        activity_level="sedentary",
        goal="lose",
        target_rate_kg_per_week=1.0,
    )
    assert result.daily_calories == 1200
    codes = {w.code for w in result.warnings}
    assert codes == {"calorie_floor_applied", "rate_above_recommended"}


def test_floor_is_configurable() -> None:
    result = energy.energy_targets(
        sex="male",
        age=60,
        height_cm=160,
        weight_kg=60,
        activity_level="sedentary",
        goal="lose",
        target_rate_kg_per_week=0.5,
        calorie_floor=1600,
    )
    assert result.daily_calories == 1600
    assert [w.code for w in result.warnings] == ["calorie_floor_applied"]


def test_rate_warning_uses_one_percent_of_weight() -> None:
    kwargs = {
        "sex": "male",
        "age": 30,
        "height_cm": 180.0,
        "activity_level": "active",
        "goal": "lose",
        "target_rate_kg_per_week": 0.9,
    }
    assert "rate_above_recommended" not in {
        w.code for w in energy.energy_targets(weight_kg=90, **kwargs).warnings
    }
    assert "rate_above_recommended" in {
        w.code for w in energy.energy_targets(weight_kg=89, **kwargs).warnings
    }


def test_macros_and_fiber_for_a_typical_profile() -> None:
    result = energy.energy_targets(
        sex="male", age=30, height_cm=180, weight_kg=80, activity_level="moderate"
    )
    m = result.macros
    # maintain: 1.4 g/kg × 80 = 112 g; fat 30 %; carbs the rest.
    assert m.protein_g == 112
    assert m.fat_pct == 30.0
    assert m.protein_pct + m.fat_pct + m.carbs_pct == pytest.approx(100.0, abs=0.15)
    assert result.fiber_g == pytest.approx(2759 / 1000 * 14, abs=0.05)


def test_protein_capped_at_amdr_for_heavy_person_on_low_energy() -> None:
    result = energy.energy_targets(
        sex="female",
        age=70,
        height_cm=150,
        weight_kg=150,
        activity_level="sedentary",
        goal="lose",
        target_rate_kg_per_week=1.0,
    )
    assert result.macros.protein_pct == 35.0
    assert "protein_capped_at_amdr" in {w.code for w in result.warnings}


def test_out_of_range_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="age"):
        energy.energy_targets(
            sex="male", age=12, height_cm=180, weight_kg=80, activity_level="light"
        )


@settings(max_examples=400, deadline=None)
@given(
    sex=st.sampled_from(["female", "male"]),
    age=st.integers(13, 120),
    height=st.floats(100, 250),
    weight=st.floats(25, 400),
    level=st.sampled_from(list(energy.ACTIVITY_FACTORS)),
    goal=st.sampled_from(["lose", "maintain", "gain"]),
    rate=st.floats(0.1, 2.0),
    body_fat=st.none() | st.floats(3, 70),
)
def test_macros_always_inside_amdr(
    sex: energy.Sex,
    age: int,
    height: float,
    weight: float,
    level: energy.ActivityLevel,
    goal: energy.Goal,
    rate: float,
    body_fat: float | None,
) -> None:
    result = energy.energy_targets(
        sex=sex,
        age=age,
        height_cm=height,
        weight_kg=weight,
        activity_level=level,
        goal=goal,
        target_rate_kg_per_week=rate,
        body_fat_pct=body_fat,
    )
    m = result.macros
    assert 10.0 <= m.protein_pct <= 35.0
    assert 20.0 <= m.fat_pct <= 35.0
    assert 45.0 <= m.carbs_pct <= 65.0
    kcal = result.daily_calories
    assert kcal >= energy.DEFAULT_CALORIE_FLOOR[sex]
    # Grams agree with the shares (each gram value is rounded to a whole gram).
    assert m.protein_g * 4 / kcal * 100 == pytest.approx(m.protein_pct, abs=0.2 + 200 / kcal)
    assert m.fat_g * 9 / kcal * 100 == pytest.approx(m.fat_pct, abs=0.2 + 450 / kcal)
    # Never below the RDA unless the AMDR cap forces it (then a warning says so).
    if m.protein_g < 0.8 * weight - 0.5:
        assert "protein_below_rda" in {w.code for w in result.warnings}


@pytest.mark.parametrize(
    ("weight", "height", "category"),
    [
        (45.0, 170.0, "underweight_severe"),  # 15.6
        (70.0, 175.0, "normal"),
        (85.0, 175.0, "pre_obese"),
        (95.0, 175.0, "obese_class_1"),
        (130.0, 175.0, "obese_class_3"),
    ],
)
def test_bmi_who_classes(weight: float, height: float, category: str) -> None:
    assert energy.bmi(weight_kg=weight, height_cm=height).category == category


def test_bmi_edges_are_lower_inclusive() -> None:
    assert energy.bmi_category(18.5) == "normal"
    assert energy.bmi_category(18.49) == "underweight_mild"
    assert energy.bmi_category(25.0) == "pre_obese"
    assert energy.bmi_category(30.0) == "obese_class_1"
    assert energy.bmi_category(40.0) == "obese_class_3"
    assert energy.bmi_category(15.9) == "underweight_severe"
    assert energy.bmi(weight_kg=70, height_cm=175).value == 22.9
