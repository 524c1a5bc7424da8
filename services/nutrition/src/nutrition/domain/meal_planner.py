"""One-day meal plan as a mixed-integer linear programme (scipy.optimize.milp → HiGHS).

Decision variables, for every (candidate food, meal) pair j the food suits:
  x_j ∈ {0..U_j}  portions of `unit_g` grams,   y_j ∈ {0, 1}  "food used in this meal".
Constraints: a food at most once a day; 2–4 items per main meal, 1–2 per snack; role rules
(a protein and a vegetable at lunch/dinner, a substantial item at breakfast, at most one drink,
fat, soup or starch per meal...); linking L_j·y_j ≤ x_j ≤ U_j·y_j.
Objective: minimise the relative absolute deviations (slack variables p, n) of day kcal and each
macro from target, plus lighter penalties for meal-energy split, fibre shortfall and sodium excess.
Hard bands (kcal ±5 %, macros ±10 %) bound the slacks; when that is infeasible the same model is
solved without the bounds and the closest plan is returned with reasons.

Deterministic for a seed: the pool is a seeded sample and HiGHS runs with a node limit (no wall
clock limit decides the answer, except a generous safety net).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from nutrition.domain.candidate_pool import DEFAULT_PER_ROLE, CandidatePool, FoodFilter, build_pool
from nutrition.domain.catalogue import Food
from nutrition.domain.energy import FIBER_G_PER_1000_KCAL
from nutrition.domain.meal_structure import (
    ITEM_COUNT,
    MEAL_LAYOUTS,
    PORTIONS,
    ROLE_RULES,
    SINGLE_PER_MEAL,
    SLOT_ENERGY_WEIGHT,
    Portioning,
)
from nutrition.domain.plan_types import DayPlan, MacroTargets, Meal, PlanItem

KCAL_BAND = 0.05  # the planner's hard band on day energy (issue requirement)
MACRO_BAND = 0.10  # the planner's hard band on each macro (issue requirement)
# The model uses slightly tighter bands so rounding each item to 0.1 cannot push a total out.
_MODEL_KCAL_BAND = 0.048
_MODEL_MACRO_BAND = 0.096
SODIUM_LIMIT_MG = 2300.0  # DGA 2020–2025

MACROS = ("kcal", "protein_g", "fat_g", "carbs_g")

# Objective weights (relative deviations): day energy and macros dominate.
W_DAY = {"kcal": 2.0, "protein_g": 1.0, "fat_g": 1.0, "carbs_g": 1.0}
W_MEAL_SPLIT = 0.3
# Hard band on each meal's energy around its share (strict solve only): keeps meals balanced
# without asking for precision the small candidate pool cannot give.
MEAL_SPLIT_BAND = 0.4
W_FIBER = 0.3
W_SODIUM = 0.3
W_LIMITS = 0.3  # saturated fat and sugars above 10 % of energy
LIMIT_SHARE_OF_ENERGY = 0.10  # DGA 2020–2025: saturated fat and added sugars < 10 % of energy

# Solver effort. The LP relaxation can always hit the targets exactly, so the dual bound stays
# ≈ 0 and a gap never closes: instead we stop after the 2nd improving integer solution (or the
# node limit). Both are counts, not wall-clock limits, so the answer is deterministic. RINS/RENS
# sub-MIPs are switched off: on this model they cost ~1 s at the root for little gain (measured).
# scipy forwards these HiGHS option names unchanged (it warns that it does not know them).
NODE_LIMIT = 500
MAX_IMPROVING_SOLUTIONS = 2
SAFETY_TIME_LIMIT_S = 20.0  # only guards against pathological inputs
HIGHS_OPTIONS: dict[str, object] = {
    "mip_max_improving_sols": MAX_IMPROVING_SOLUTIONS,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "random_seed": 0,
    "threads": 1,
}
# Process-wide and set once: a ``catch_warnings()`` around each solve would race with the same
# block in other threads (solves run in a thread pool) and can leave the filters wrong for good.
warnings.filterwarnings("ignore", message="Unrecognized options", category=RuntimeWarning)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    targets: MacroTargets
    meals: int = 3
    food_filter: FoodFilter = field(default_factory=FoodFilter)
    seed: int = 0
    per_role: int = DEFAULT_PER_ROLE

    def __post_init__(self) -> None:
        if self.meals not in MEAL_LAYOUTS:
            raise ValueError("meals must be 3–6")


@dataclass(frozen=True, slots=True)
class _Var:
    food: Food
    meal: int
    portion: Portioning


@dataclass(frozen=True, slots=True)
class _Solution:
    grams: dict[int, int]  # var index -> grams
    feasible: bool


class _Model:
    """Builds the constraint matrix row by row (dense; a few hundred columns)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.rows: list[np.ndarray] = []
        self.lb: list[float] = []
        self.ub: list[float] = []

    def add(self, coefs: dict[int, float], lb: float, ub: float) -> None:
        row = np.zeros(self.n)
        for k, v in coefs.items():
            row[k] += v
        self.rows.append(row)
        self.lb.append(lb)
        self.ub.append(ub)

    def constraint(self) -> LinearConstraint:
        # Sparse on purpose (the model is): for a dense matrix scipy's LinearConstraint runs
        # ``catch_warnings(); simplefilter("error")``, which changes the *process-wide* filters
        # for a moment and turned a warning of a solve in another thread into a 500.
        return LinearConstraint(
            csr_array(np.vstack(self.rows)), np.array(self.lb), np.array(self.ub)
        )


def _solve(
    variables: list[_Var],
    layout: tuple[tuple[str, str], ...],
    targets: MacroTargets,
    *,
    hard_bands: bool,
) -> _Solution | None:
    nv = len(variables)
    # Column layout: x (nv), y (nv), day slacks p/n (8), meal slacks p/n (2 per meal),
    # fibre shortfall, sodium excess, saturated-fat excess, sugars excess (1 each).
    ix = list(range(nv))
    iy = [nv + j for j in range(nv)]
    day_p = {k: 2 * nv + 2 * i for i, k in enumerate(MACROS)}
    day_n = {k: 2 * nv + 2 * i + 1 for i, k in enumerate(MACROS)}
    base = 2 * nv + 2 * len(MACROS)
    meal_p = [base + 2 * m for m in range(len(layout))]
    meal_n = [base + 2 * m + 1 for m in range(len(layout))]
    i_fiber = base + 2 * len(layout)
    i_sodium = i_fiber + 1
    i_sat_fat = i_sodium + 1
    i_sugars = i_sat_fat + 1
    n = i_sugars + 1

    model = _Model(n)
    # Linking: min·y ≤ x ≤ max·y.
    for j, v in enumerate(variables):
        model.add({ix[j]: 1.0, iy[j]: -float(v.portion.max_units)}, -np.inf, 0.0)
        model.add({ix[j]: 1.0, iy[j]: -float(v.portion.min_units)}, 0.0, np.inf)
    # A food at most once per day.
    by_food: dict[str, list[int]] = {}
    for j, v in enumerate(variables):
        by_food.setdefault(v.food.ndb_no, []).append(j)
    for js in by_food.values():
        if len(js) > 1:
            model.add({iy[j]: 1.0 for j in js}, 0.0, 1.0)
    # Meal structure.
    for m, (_, slot) in enumerate(layout):
        js = [j for j, v in enumerate(variables) if v.meal == m]
        low, high = ITEM_COUNT[slot]
        model.add({iy[j]: 1.0 for j in js}, min(low, len(js)), high)
        for roles, rmin, rmax in ROLE_RULES[slot]:
            sel = [j for j in js if variables[j].food.role in roles]
            if sel:  # a rule with no candidates is reported by _pool_reasons, not enforced
                model.add({iy[j]: 1.0 for j in sel}, rmin, rmax)
        for role in SINGLE_PER_MEAL:
            sel = [j for j in js if variables[j].food.role == role]
            if len(sel) > 1:
                model.add({iy[j]: 1.0 for j in sel}, 0.0, 1.0)

    def per_unit(v: _Var, nutrient: str) -> float:
        value = getattr(v.food, nutrient)
        return float(value) * v.portion.unit_g / 100.0

    # Day totals: Σ a·x − p + n = target.
    for k in MACROS:
        coefs = {ix[j]: per_unit(v, k) for j, v in enumerate(variables)}
        coefs[day_p[k]] = -1.0
        coefs[day_n[k]] = 1.0
        target = float(getattr(targets, k))
        model.add(coefs, target, target)
    # Meal energy split (soft).
    weights = [SLOT_ENERGY_WEIGHT[slot] for _, slot in layout]
    for m in range(len(layout)):
        share = targets.kcal * weights[m] / sum(weights)
        coefs = {ix[j]: per_unit(v, "kcal") for j, v in enumerate(variables) if v.meal == m}
        coefs[meal_p[m]] = -1.0
        coefs[meal_n[m]] = 1.0
        model.add(coefs, share, share)
    # Fibre ≥ 14 g/1000 kcal (IOM 2005) and sodium ≤ 2300 mg (DGA), both soft.
    fiber_target = targets.kcal / 1000.0 * FIBER_G_PER_1000_KCAL
    coefs = {ix[j]: per_unit(v, "fiber_g") for j, v in enumerate(variables)}
    coefs[i_fiber] = 1.0
    model.add(coefs, fiber_target, np.inf)
    coefs = {ix[j]: per_unit(v, "sodium_mg") for j, v in enumerate(variables)}
    coefs[i_sodium] = -1.0
    model.add(coefs, -np.inf, SODIUM_LIMIT_MG)
    # Saturated fat and sugars < 10 % of target energy (DGA 2020–2025), soft.
    for column, nutrient, kcal_per_g in (
        (i_sat_fat, "sat_fat_g", 9.0),
        (i_sugars, "sugars_g", 4.0),
    ):
        coefs = {ix[j]: per_unit(v, nutrient) for j, v in enumerate(variables)}
        coefs[column] = -1.0
        model.add(coefs, -np.inf, LIMIT_SHARE_OF_ENERGY * targets.kcal / kcal_per_g)

    cost = np.zeros(n)
    lower = np.zeros(n)
    upper = np.full(n, np.inf)
    for j, v in enumerate(variables):
        upper[ix[j]] = v.portion.max_units
        upper[iy[j]] = 1.0
    for k in MACROS:
        target = float(getattr(targets, k))
        scale = max(target, 1.0)
        cost[day_p[k]] = cost[day_n[k]] = W_DAY[k] / scale
        if hard_bands:
            band = _MODEL_KCAL_BAND if k == "kcal" else _MODEL_MACRO_BAND
            upper[day_p[k]] = upper[day_n[k]] = band * target
    for m in range(len(layout)):
        cost[meal_p[m]] = cost[meal_n[m]] = W_MEAL_SPLIT / targets.kcal
        if hard_bands:
            share = targets.kcal * weights[m] / sum(weights)
            upper[meal_p[m]] = upper[meal_n[m]] = MEAL_SPLIT_BAND * share
    cost[i_fiber] = W_FIBER / max(fiber_target, 1.0)
    cost[i_sodium] = W_SODIUM / SODIUM_LIMIT_MG
    cost[i_sat_fat] = W_LIMITS / (LIMIT_SHARE_OF_ENERGY * targets.kcal / 9.0)
    cost[i_sugars] = W_LIMITS / (LIMIT_SHARE_OF_ENERGY * targets.kcal / 4.0)

    integrality = np.zeros(n)
    integrality[: 2 * nv] = 1
    result = milp(
        cost,
        constraints=model.constraint(),
        bounds=Bounds(lower, upper),
        integrality=integrality,
        options={
            "node_limit": NODE_LIMIT,
            "time_limit": SAFETY_TIME_LIMIT_S,
            "presolve": True,
            **HIGHS_OPTIONS,
        },
    )
    if result.x is None:
        return None
    x = np.round(result.x[:nv]).astype(int)
    grams = {j: int(x[j]) * variables[j].portion.unit_g for j in range(nv) if x[j] > 0}
    return _Solution(grams=grams, feasible=result.status == 0)


def _variables(pool: CandidatePool, layout: tuple[tuple[str, str], ...]) -> list[_Var]:
    out: list[_Var] = []
    for m, (_, slot) in enumerate(layout):
        for food in pool.by_slot.get(slot, ()):
            if food.role is not None:
                out.append(_Var(food=food, meal=m, portion=PORTIONS[food.role]))
    return out


def _band_reasons(plan_totals: dict[str, float], targets: MacroTargets) -> list[str]:
    reasons = []
    for k in MACROS:
        target = float(getattr(targets, k))
        actual = plan_totals[k]
        band = KCAL_BAND if k == "kcal" else MACRO_BAND
        if abs(actual - target) > band * target:
            rel = (actual - target) / target
            direction = "above" if rel > 0 else "below"
            reasons.append(
                f"{k}: {actual:g} is {abs(rel):.1%} {direction} the target {target:g} "
                f"(allowed ±{band:.0%})"
            )
    return reasons


def _pool_reasons(
    pool: CandidatePool, food_filter: FoodFilter, layout: Sequence[tuple[str, str]]
) -> list[str]:
    reasons: list[str] = []
    wanted = ", ".join(sorted(food_filter.required_tags)) or "any"
    if pool.eligible_total < 40:
        reasons.append(
            f"only {pool.eligible_total} foods match the filters (diet: {wanted}; excluded "
            f"allergens: {', '.join(sorted(food_filter.excluded_allergens)) or 'none'}; "
            f"{len(food_filter.excluded_food_ids)} foods excluded)"
        )
    for _, slot in dict.fromkeys(layout):
        counts = pool.eligible_counts.get(slot, {})
        for roles, rmin, _ in ROLE_RULES[slot]:
            if rmin > 0 and sum(counts.get(r, 0) for r in roles) == 0:
                reasons.append(
                    f"no {'/'.join(sorted(roles))} food suitable for {slot} matches the filters"
                )
        if sum(counts.values()) < ITEM_COUNT[slot][0]:
            reasons.append(f"not enough foods suitable for {slot} match the filters")
    return reasons


def _meals_with_candidates(
    pool: CandidatePool, layout: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """Meals whose slot has no candidate at all are left out (reported by _pool_reasons)."""
    return tuple((name, slot) for name, slot in layout if pool.by_slot.get(slot))


def plan_day(foods: Sequence[Food], request: PlanRequest) -> DayPlan:
    """Plan one day. Always returns a plan; `within_bands`/`relaxed`/`reasons` say how close."""
    started = time.perf_counter()
    layout = MEAL_LAYOUTS[request.meals]
    pool = build_pool(
        foods,
        slots=[slot for _, slot in layout],
        food_filter=request.food_filter,
        seed=request.seed,
        per_role=request.per_role,
    )
    reasons = _pool_reasons(pool, request.food_filter, layout)
    usable_layout = _meals_with_candidates(pool, layout)
    variables = _variables(pool, usable_layout)
    relaxed = False
    solution = (
        _solve(variables, usable_layout, request.targets, hard_bands=True) if variables else None
    )
    if solution is None and variables:
        relaxed = True
        solution = _solve(variables, usable_layout, request.targets, hard_bands=False)
        if solution is None:
            # Structural rules (role/item counts) unsatisfiable: plan without the role rules.
            reasons.append("the meal-structure rules could not be satisfied with these foods")
    meals = []
    if solution is not None:
        for m, (name, slot) in enumerate(usable_layout):
            items = [
                PlanItem.of(variables[j].food, g)
                for j, g in sorted(solution.grams.items())
                if variables[j].meal == m
            ]
            meals.append(Meal.of(name, slot, items))
    plan = DayPlan.assemble(
        targets=request.targets,
        meals=meals,
        relaxed=relaxed,
        reasons=(),
        seed=request.seed,
        within_bands=False,
        solve_seconds=time.perf_counter() - started,
    )
    totals = {k: float(getattr(plan.totals, k)) for k in MACROS}
    band_reasons = _band_reasons(totals, request.targets)
    if not meals:
        band_reasons = ["no plan could be built: " + ("; ".join(reasons) or "no candidate foods")]
    all_reasons = tuple(band_reasons + reasons) if band_reasons else ()
    return DayPlan.assemble(
        targets=request.targets,
        meals=meals,
        relaxed=relaxed,
        reasons=all_reasons,
        seed=request.seed,
        within_bands=not band_reasons,
        solve_seconds=time.perf_counter() - started,
    )
