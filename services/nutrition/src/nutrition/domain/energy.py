"""Energy and macronutrient targets: BMR, TDEE, goal adjustment, macros inside the AMDR, fibre.

Pure functions only. Every constant carries its source (see /work/shared/DOMAIN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Sex = Literal["female", "male"]
ActivityLevel = Literal["sedentary", "light", "moderate", "active", "very_active"]
Goal = Literal["lose", "maintain", "gain"]
Formula = Literal["mifflin_st_jeor", "katch_mcardle"]

# Valid input ranges (DESIGN §3); the API validates them, the domain re-checks to fail loudly.
AGE_RANGE = (13, 120)
HEIGHT_CM_RANGE = (100.0, 250.0)
WEIGHT_KG_RANGE = (25.0, 400.0)
BODY_FAT_PCT_RANGE = (3.0, 70.0)
MAX_RATE_KG_PER_WEEK = 2.0

# TDEE = BMR × factor. These factors are a calculator convention with no primary validation
# study behind them (DOMAIN.md "Total expenditure"); presented to users as such.
ACTIVITY_FACTORS: dict[str, float] = {
    "sedentary": 1.2,
    "light": 1.375,  # 1–3 days/week
    "moderate": 1.55,  # 3–5 days/week
    "active": 1.725,  # 6–7 days/week
    "very_active": 1.9,  # very active or physical job
}

KCAL_PER_KG_BODY_WEIGHT = 7700.0  # static rule, Hall 2008 (Int J Obes 32:573)
DAYS_PER_WEEK = 7

# Calorie floors: lower bounds of the AHA/ACC/TOS 2013 obesity-guideline intake ranges
# (women 1200–1500, men 1500–1800 kcal/day). A policy value, so callers may override it.
DEFAULT_CALORIE_FLOOR: dict[str, float] = {"female": 1200.0, "male": 1500.0}

# Helms et al. 2014 (J Int Soc Sports Nutr 11:20): lose 0.5–1 % of body weight per week.
MAX_SAFE_RATE_FRACTION_OF_WEIGHT = 0.01

KCAL_PER_G_PROTEIN = 4.0  # Atwater general factors
KCAL_PER_G_CARB = 4.0  # Atwater general factors
KCAL_PER_G_FAT = 9.0  # Atwater general factors

PROTEIN_RDA_G_PER_KG = 0.8  # IOM DRI 2005 RDA for adults
# Protein by goal, g per kg body weight:
# - maintain 1.4: lower end of the ISSN range for active people, 1.4–2.0 (Jäger et al. 2017,
#   J Int Soc Sports Nutr 14:20);
# - lose 2.0: in a deficit higher intakes spare lean mass; Helms 2014 recommends 2.3–3.1 g/kg of
#   lean mass, which is ≈ 1.8–2.7 g/kg body weight at 15–25 % body fat; 2.0 sits inside it;
# - gain 1.8: ISSN 2017 1.4–2.0 g/kg for building muscle; 1.8 is inside it.
PROTEIN_G_PER_KG: dict[str, float] = {"maintain": 1.4, "lose": 2.0, "gain": 1.8}
# Fat as a share of energy, inside the AMDR 20–35 %: a mid value to maintain, a little lower when
# losing or gaining so protein/carbohydrate have room (our choice, bounded by the AMDR).
FAT_SHARE: dict[str, float] = {"maintain": 0.30, "lose": 0.25, "gain": 0.25}

# Acceptable Macronutrient Distribution Ranges for adults, IOM DRI (NBK56068).
AMDR_PROTEIN = (0.10, 0.35)
AMDR_FAT = (0.20, 0.35)
AMDR_CARBS = (0.45, 0.65)

FIBER_G_PER_1000_KCAL = 14.0  # IOM 2005 Adequate Intake


@dataclass(frozen=True, slots=True)
class TargetWarning:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Macros:
    protein_g: float
    fat_g: float
    carbs_g: float
    protein_pct: float
    fat_pct: float
    carbs_pct: float


@dataclass(frozen=True, slots=True)
class EnergyTargets:
    bmr: float
    tdee: float
    daily_calories: float
    macros: Macros
    fiber_g: float
    formula: Formula
    activity_factor: float
    warnings: tuple[TargetWarning, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Bmi:
    value: float
    category: str


def _check_range(name: str, value: float, bounds: tuple[float, float]) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise ValueError(f"{name}={value} outside [{low}, {high}]")


def mifflin_st_jeor(*, sex: Sex, weight_kg: float, height_cm: float, age: int) -> float:
    """Resting energy, kcal/day. Mifflin et al. 1990 (Am J Clin Nutr 51:241)."""
    sex_constant = 5.0 if sex == "male" else -161.0  # Mifflin 1990: +5 men, −161 women
    return 10.0 * weight_kg + 6.25 * height_cm - 5.0 * age + sex_constant


def katch_mcardle(*, weight_kg: float, body_fat_pct: float) -> float:
    """Resting energy from lean mass, kcal/day (McArdle, Katch & Katch, Exercise Physiology)."""
    lean_mass_kg = weight_kg * (1.0 - body_fat_pct / 100.0)
    return 370.0 + 21.6 * lean_mass_kg  # McArdle, Katch & Katch


def bmr(
    *,
    sex: Sex,
    weight_kg: float,
    height_cm: float,
    age: int,
    body_fat_pct: float | None = None,
) -> tuple[float, Formula]:
    """Mifflin-St Jeor by default (Frankenfield 2005: the most reliable of the common
    equations); Katch-McArdle when body fat is known, since it then uses lean mass directly."""
    if body_fat_pct is not None:
        return katch_mcardle(weight_kg=weight_kg, body_fat_pct=body_fat_pct), "katch_mcardle"
    return (
        mifflin_st_jeor(sex=sex, weight_kg=weight_kg, height_cm=height_cm, age=age),
        "mifflin_st_jeor",
    )


def tdee(bmr_kcal: float, activity_level: ActivityLevel) -> float:
    return bmr_kcal * ACTIVITY_FACTORS[activity_level]


def bmi(*, weight_kg: float, height_cm: float) -> Bmi:
    """BMI with the WHO adult classification (lower edges inclusive). Not valid for children,
    pregnancy, or to tell muscle from fat."""
    height_m = height_cm / 100.0
    value = weight_kg / (height_m * height_m)
    return Bmi(value=round(value, 1), category=bmi_category(value))


# WHO adult BMI classes: (lower edge inclusive, name), checked from the top.
_BMI_CLASSES: tuple[tuple[float, str], ...] = (
    (40.0, "obese_class_3"),
    (35.0, "obese_class_2"),
    (30.0, "obese_class_1"),
    (25.0, "pre_obese"),
    (18.5, "normal"),
    (17.0, "underweight_mild"),
    (16.0, "underweight_moderate"),
)


def bmi_category(value: float) -> str:
    for lower, name in _BMI_CLASSES:
        if value >= lower:
            return name
    return "underweight_severe"


def _macros(*, kcal: float, weight_kg: float, goal: Goal, warnings: list[TargetWarning]) -> Macros:
    """Protein from g/kg, fat a share of energy, carbs the rest; then moved so all three stay
    inside the AMDR. The order of adjustments keeps protein where possible, since that is the
    goal-specific part."""
    protein_share = PROTEIN_G_PER_KG[goal] * weight_kg * KCAL_PER_G_PROTEIN / kcal
    rda_share = PROTEIN_RDA_G_PER_KG * weight_kg * KCAL_PER_G_PROTEIN / kcal
    p_low, p_high = AMDR_PROTEIN
    if protein_share > p_high:
        warnings.append(
            TargetWarning(
                "protein_capped_at_amdr",
                f"{PROTEIN_G_PER_KG[goal]} g/kg would be {protein_share:.0%} of energy; "
                f"capped at the AMDR maximum of {p_high:.0%}.",
            )
        )
        if rda_share > p_high:
            warnings.append(
                TargetWarning(
                    "protein_below_rda",
                    f"The RDA of {PROTEIN_RDA_G_PER_KG} g/kg exceeds {p_high:.0%} of this "
                    "calorie target; protein is held at the AMDR maximum.",
                )
            )
        protein_share = p_high
    protein_share = max(protein_share, p_low, min(rda_share, p_high))

    fat_share = FAT_SHARE[goal]
    carbs_share = 1.0 - protein_share - fat_share
    c_low, c_high = AMDR_CARBS
    f_low, f_high = AMDR_FAT
    if carbs_share < c_low:
        # Too little room for carbohydrate: give it fat first (down to 20 %). With protein ≤ 35 %
        # and fat ≥ 20 % carbs reach ≥ 45 %, so this always succeeds.
        fat_share = max(f_low, 1.0 - protein_share - c_low)
    elif carbs_share > c_high:
        # Carbohydrate above 65 % (low protein need): move the excess to fat, at most 35 %.
        fat_share = min(f_high, 1.0 - protein_share - c_high)
    carbs_share = 1.0 - protein_share - fat_share

    return Macros(
        protein_g=round(kcal * protein_share / KCAL_PER_G_PROTEIN),
        fat_g=round(kcal * fat_share / KCAL_PER_G_FAT),
        carbs_g=round(kcal * carbs_share / KCAL_PER_G_CARB),
        protein_pct=round(protein_share * 100.0, 1),
        fat_pct=round(fat_share * 100.0, 1),
        carbs_pct=round(carbs_share * 100.0, 1),
    )


def energy_targets(
    *,
    sex: Sex,
    age: int,
    height_cm: float,
    weight_kg: float,
    activity_level: ActivityLevel,
    goal: Goal = "maintain",
    target_rate_kg_per_week: float | None = None,
    body_fat_pct: float | None = None,
    calorie_floor: float | None = None,
) -> EnergyTargets:
    """Daily energy, macro and fibre targets for an adult profile.

    `target_rate_kg_per_week` is the wished change in weight (positive number); for `lose` it is
    subtracted, for `gain` added, for `maintain` ignored. Default rate 0.5 kg/week for
    lose/gain (lower end of NHLBI 1998's 0.5–1 kg/week). `calorie_floor` overrides the
    AHA/ACC/TOS-derived default for the sex.
    """
    _check_range("age", age, AGE_RANGE)
    _check_range("height_cm", height_cm, HEIGHT_CM_RANGE)
    _check_range("weight_kg", weight_kg, WEIGHT_KG_RANGE)
    if body_fat_pct is not None:
        _check_range("body_fat_pct", body_fat_pct, BODY_FAT_PCT_RANGE)
    if activity_level not in ACTIVITY_FACTORS:
        raise ValueError(f"unknown activity level {activity_level!r}")
    if goal not in PROTEIN_G_PER_KG:
        raise ValueError(f"unknown goal {goal!r}")

    warnings: list[TargetWarning] = []
    bmr_kcal, formula = bmr(
        sex=sex, weight_kg=weight_kg, height_cm=height_cm, age=age, body_fat_pct=body_fat_pct
    )
    factor = ACTIVITY_FACTORS[activity_level]
    tdee_kcal = bmr_kcal * factor

    rate = 0.0 if goal == "maintain" else (target_rate_kg_per_week or 0.5)
    if not 0.0 <= rate <= MAX_RATE_KG_PER_WEEK:
        raise ValueError(f"target_rate_kg_per_week={rate} outside [0, {MAX_RATE_KG_PER_WEEK}]")
    if rate > MAX_SAFE_RATE_FRACTION_OF_WEIGHT * weight_kg:
        warnings.append(
            TargetWarning(
                "rate_above_recommended",
                f"{rate} kg/week is more than 1 % of body weight per week "
                f"({MAX_SAFE_RATE_FRACTION_OF_WEIGHT * weight_kg:.2f} kg); "
                "Helms 2014 recommends 0.5–1 %.",
            )
        )
    daily_change = rate * KCAL_PER_KG_BODY_WEIGHT / DAYS_PER_WEEK
    calories = tdee_kcal - daily_change if goal == "lose" else tdee_kcal + daily_change

    floor = DEFAULT_CALORIE_FLOOR[sex] if calorie_floor is None else calorie_floor
    if calories < floor:
        warnings.append(
            TargetWarning(
                "calorie_floor_applied",
                f"The computed target {calories:.0f} kcal is below the floor of {floor:.0f} "
                "kcal/day (AHA/ACC/TOS 2013); the floor is used instead, so the goal rate "
                "will be slower.",
            )
        )
        calories = floor

    daily_calories = float(round(calories))
    macros = _macros(kcal=daily_calories, weight_kg=weight_kg, goal=goal, warnings=warnings)
    return EnergyTargets(
        bmr=round(bmr_kcal, 1),
        tdee=round(tdee_kcal, 1),
        daily_calories=daily_calories,
        macros=macros,
        fiber_g=round(daily_calories / 1000.0 * FIBER_G_PER_1000_KCAL, 1),
        formula=formula,
        activity_factor=factor,
        warnings=tuple(warnings),
    )
