"""Check a meal plan's daily totals against dietary norms; report violations with suggestions.

Norms are data (`NORMS`) with their source. Each day and nutrient gets a check: target, actual,
allowed band, status ok/low/high — or "unknown" when the nutrient value is missing (None): a
missing value is never treated as zero and never produces a violation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from nutrition.domain.energy import (
    AMDR_CARBS,
    AMDR_FAT,
    AMDR_PROTEIN,
    FIBER_G_PER_1000_KCAL,
    KCAL_PER_G_CARB,
    KCAL_PER_G_FAT,
    KCAL_PER_G_PROTEIN,
    PROTEIN_RDA_G_PER_KG,
)
from nutrition.domain.plan_types import MacroTargets, NutrientTotals

Status = Literal["ok", "low", "high", "unknown"]
Severity = Literal["info", "warning", "critical"]

KCAL_TOLERANCE = 0.10  # plan energy within ±10 % of the user's target (project policy)
PROTEIN_GOAL_TOLERANCE = 0.10  # at least 90 % of the goal protein target (same tolerance)
SAT_FAT_MAX_SHARE = 0.10  # DGA 2020–2025: saturated fat < 10 % of energy
SUGARS_MAX_SHARE = 0.10  # DGA 2020–2025 / WHO 2015: added sugars < 10 % of energy
SODIUM_MAX_MG = 2300.0  # DGA 2020–2025
# Severity by how far the value is outside its band, relative to the band edge.
INFO_MAX_EXCESS = 0.10
WARNING_MAX_EXCESS = 0.25


@dataclass(frozen=True, slots=True)
class Norm:
    nutrient: str
    unit: str
    source: str
    description: str


NORMS: dict[str, Norm] = {
    "kcal": Norm("kcal", "kcal", "user target (energy module), ±10 % tolerance", "energy"),
    "protein_g": Norm(
        "protein_g",
        "g",
        f"IOM RDA {PROTEIN_RDA_G_PER_KG} g/kg; goal target −10 %; AMDR ≤ 35 % of energy",
        "protein",
    ),
    "fat_g": Norm("fat_g", "g", "IOM AMDR 20–35 % of energy", "fat"),
    "carbs_g": Norm("carbs_g", "g", "IOM AMDR 45–65 % of energy", "carbohydrate"),
    "sat_fat_g": Norm("sat_fat_g", "g", "DGA 2020–2025: < 10 % of energy", "saturated fat"),
    "sugars_g": Norm(
        "sugars_g",
        "g",
        "DGA 2020–2025 / WHO 2015: added sugars < 10 % of energy (applied to total sugars, "
        "the only value SR28 has, so it over-counts fruit and milk sugars)",
        "sugars",
    ),
    "fiber_g": Norm("fiber_g", "g", "IOM 2005: 14 g per 1000 kcal", "fibre"),
    "sodium_mg": Norm("sodium_mg", "mg", "DGA 2020–2025: ≤ 2300 mg/day", "sodium"),
}

# Reference foods for suggestions (SR28 values per 100 g).
CHICKEN_BREAST_PROTEIN_G = 31.02  # SR28 05064, chicken breast, roasted
LENTILS_FIBER_G = 7.9  # SR28 16070, lentils, boiled
OLIVE_OIL_KCAL = 884.0  # SR28 04053, olive oil
RICE_CARBS_G = 23.51  # SR28 20041, brown rice, cooked
SALT_SODIUM_MG_PER_G = 387.58  # SR28 02047, table salt: 38,758 mg/100 g


@dataclass(frozen=True, slots=True)
class NutrientCheck:
    nutrient: str
    unit: str
    target: float | None
    actual: float | None
    low: float | None  # allowed band, same unit as actual; None = unbounded on that side
    high: float | None
    status: Status
    source: str


@dataclass(frozen=True, slots=True)
class Violation:
    day: int
    nutrient: str
    status: Status
    severity: Severity
    message: str
    suggestion: str


@dataclass(frozen=True, slots=True)
class DayValidation:
    day: int
    checks: tuple[NutrientCheck, ...]
    violations: tuple[Violation, ...]


@dataclass(frozen=True, slots=True)
class PlanValidation:
    days: tuple[DayValidation, ...]

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(v for d in self.days for v in d.violations)

    @property
    def ok(self) -> bool:
        return not self.violations


def _severity(actual: float, low: float | None, high: float | None) -> Severity:
    if low is not None and actual < low:
        excess = (low - actual) / low if low else 1.0
    elif high is not None and actual > high:
        excess = (actual - high) / high if high else 1.0
    else:
        excess = 0.0
    if excess <= INFO_MAX_EXCESS:
        return "info"
    if excess <= WARNING_MAX_EXCESS:
        return "warning"
    return "critical"


def _suggestion(nutrient: str, status: Status, gap: float) -> str:
    """A concrete change for `gap` (the amount outside the band, in the nutrient's unit)."""
    amount = round(gap)
    if nutrient == "kcal":
        if status == "low":
            oil_g = round(gap / OLIVE_OIL_KCAL * 100)
            return (
                f"add ~{amount} kcal: e.g. a larger portion of the main starch, or {oil_g} g "
                "olive oil"
            )
        return f"remove ~{amount} kcal: smaller portions of the most energy-dense items"
    if nutrient == "protein_g":
        if status == "low":
            grams = round(gap / CHICKEN_BREAST_PROTEIN_G * 100 / 25) * 25 or 25
            return f"add ~{amount} g protein: e.g. {grams} g chicken breast (roasted)"
        return f"cut ~{amount} g protein: smaller meat/fish portions, more grains or vegetables"
    if nutrient == "fat_g":
        if status == "low":
            return f"add ~{amount} g fat: e.g. {amount} g olive oil or a handful of nuts"
        return f"cut ~{amount} g fat: leaner cuts, less oil/butter/cheese"
    if nutrient == "carbs_g":
        if status == "low":
            grams = round(gap / RICE_CARBS_G * 100 / 25) * 25 or 25
            return f"add ~{amount} g carbohydrate: e.g. {grams} g cooked brown rice"
        return f"cut ~{amount} g carbohydrate: smaller starch portions, fewer sweet drinks"
    if nutrient == "sat_fat_g":
        return f"cut ~{amount} g saturated fat: swap butter/cream/fatty meat for olive oil, fish"
    if nutrient == "sugars_g":
        return f"cut ~{amount} g sugars: replace sweetened drinks/desserts with water or fruit"
    if nutrient == "fiber_g":
        grams = round(gap / LENTILS_FIBER_G * 100 / 25) * 25 or 25
        return f"add ~{amount} g fibre: e.g. {grams} g cooked lentils, or whole grains"
    salt_g = gap / SALT_SODIUM_MG_PER_G
    return f"cut ~{amount} mg sodium (≈ {salt_g:.1f} g salt): choose unsalted/low-sodium versions"


def _check(
    day: int,
    nutrient: str,
    actual: float | None,
    *,
    target: float | None,
    low: float | None,
    high: float | None,
) -> tuple[NutrientCheck, Violation | None]:
    norm = NORMS[nutrient]
    if actual is None:
        status: Status = "unknown"
    elif low is not None and actual < low:
        status = "low"
    elif high is not None and actual > high:
        status = "high"
    else:
        status = "ok"
    rounded = lambda v: None if v is None else round(v, 1)  # noqa: E731
    check = NutrientCheck(
        nutrient=nutrient,
        unit=norm.unit,
        target=rounded(target),
        actual=actual,
        low=rounded(low),
        high=rounded(high),
        status=status,
        source=norm.source,
    )
    if actual is None or status == "ok":
        return check, None
    bound = low if status == "low" else high
    assert bound is not None
    gap = abs(actual - bound)
    message = (
        f"day {day + 1}: {norm.description} {actual:g} {norm.unit} is "
        f"{'below' if status == 'low' else 'above'} the allowed "
        f"{'minimum' if status == 'low' else 'maximum'} {bound:.1f} {norm.unit} ({norm.source})"
    )
    return check, Violation(
        day=day,
        nutrient=nutrient,
        status=status,
        severity=_severity(actual, low, high),
        message=message,
        suggestion=_suggestion(nutrient, status, gap),
    )


def validate_day(
    day: int,
    totals: NutrientTotals,
    *,
    targets: MacroTargets,
    weight_kg: float | None = None,
) -> DayValidation:
    kcal = totals.kcal
    energy = kcal if kcal > 0 else None  # shares of energy are undefined for an empty day

    def share(fraction: float, kcal_per_g: float) -> float | None:
        return None if energy is None else energy * fraction / kcal_per_g

    protein_low = targets.protein_g * (1.0 - PROTEIN_GOAL_TOLERANCE)
    if weight_kg is not None:
        protein_low = max(protein_low, PROTEIN_RDA_G_PER_KG * weight_kg)
    specs: list[tuple[str, float | None, float | None, float | None, float | None]] = [
        # (nutrient, actual, target, low, high)
        (
            "kcal",
            kcal,
            targets.kcal,
            targets.kcal * (1 - KCAL_TOLERANCE),
            targets.kcal * (1 + KCAL_TOLERANCE),
        ),
        (
            "protein_g",
            totals.protein_g,
            targets.protein_g,
            protein_low,
            share(AMDR_PROTEIN[1], KCAL_PER_G_PROTEIN),
        ),
        (
            "fat_g",
            totals.fat_g if energy else None,
            targets.fat_g,
            share(AMDR_FAT[0], KCAL_PER_G_FAT),
            share(AMDR_FAT[1], KCAL_PER_G_FAT),
        ),
        (
            "carbs_g",
            totals.carbs_g if energy else None,
            targets.carbs_g,
            share(AMDR_CARBS[0], KCAL_PER_G_CARB),
            share(AMDR_CARBS[1], KCAL_PER_G_CARB),
        ),
        (
            "sat_fat_g",
            totals.sat_fat_g if energy else None,
            None,
            None,
            share(SAT_FAT_MAX_SHARE, KCAL_PER_G_FAT),
        ),
        (
            "sugars_g",
            totals.sugars_g if energy else None,
            None,
            None,
            share(SUGARS_MAX_SHARE, KCAL_PER_G_CARB),
        ),
        (
            "fiber_g",
            totals.fiber_g if energy else None,
            None if energy is None else energy / 1000.0 * FIBER_G_PER_1000_KCAL,
            None if energy is None else energy / 1000.0 * FIBER_G_PER_1000_KCAL,
            None,
        ),
        ("sodium_mg", totals.sodium_mg, None, None, SODIUM_MAX_MG),
    ]
    checks: list[NutrientCheck] = []
    violations: list[Violation] = []
    for nutrient, actual, target, low, high in specs:
        check, violation = _check(day, nutrient, actual, target=target, low=low, high=high)
        checks.append(check)
        if violation is not None:
            violations.append(violation)
    return DayValidation(day=day, checks=tuple(checks), violations=tuple(violations))


def validate_plan(
    days: Sequence[NutrientTotals],
    *,
    targets: MacroTargets,
    weight_kg: float | None = None,
) -> PlanValidation:
    """Validate each day's totals (a day plan or a week) against the norms."""
    return PlanValidation(
        days=tuple(
            validate_day(i, totals, targets=targets, weight_kg=weight_kg)
            for i, totals in enumerate(days)
        )
    )
