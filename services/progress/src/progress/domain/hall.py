"""Hall et al. dynamic energy-balance model of adult body weight (pure, no I/O).

Sources: Hall KD et al., "Quantification of the effect of energy imbalance on bodyweight",
Lancet 2011;378:826-37 (and its web appendix); Hall KD, Am J Physiol Endocrinol Metab
2010;298:E449; Chow & Hall, PLoS Comput Biol 2008;4:e1000045. The equations follow the
documentation of the INSP-RH/bw R package (vignettes/AdultModel.Rmd), written here from the
published equations, not from its code (DOMAIN.md "Weight over time").

Body weight BW = F + L + 3.7 G + ECF (fat, lean, glycogen with its water, extracellular fluid).
State (F, L, G, ECF, AT) is integrated with classic RK4 at one step per day.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Sex = Literal["male", "female"]

# kJ -> kcal (thermochemical calorie).
KCAL_PER_KJ = 0.23900573614
# Energy densities (Hall 2011 appendix): fat 39.5 MJ/kg, lean 7.6 MJ/kg, glycogen 17.6 MJ/kg.
RHO_F = 39_500 * KCAL_PER_KJ  # 9,440.7 kcal/kg
RHO_L = 7_600 * KCAL_PER_KJ  # 1,816.4 kcal/kg
RHO_G = 17_600 * KCAL_PER_KJ  # 4,206.5 kcal/kg
# Maintenance costs of tissue (Hall 2011): fat 13 kJ/kg/d, lean 92 kJ/kg/d.
GAMMA_F = 13 * KCAL_PER_KJ  # 3.107 kcal/kg/d
GAMMA_L = 92 * KCAL_PER_KJ  # 21.989 kcal/kg/d
# Deposition / breakdown costs (Hall 2011): fat 750 kJ/kg, lean 960 kJ/kg.
ETA_F = 750 * KCAL_PER_KJ  # 179.25 kcal/kg
ETA_L = 960 * KCAL_PER_KJ  # 229.45 kcal/kg
# Thermic effect of food and adaptive thermogenesis (Hall 2011): 10 % and 14 %, tau = 14 days.
BETA_TEF = 0.10
BETA_AT = 0.14
TAU_AT_DAYS = 14.0
# Forbes curve constant (Forbes 1987, Ann NY Acad Sci 499:48; as used by Hall 2011): 10.4 kg.
FORBES_C_KG = 10.4
# Energy-partition constant C = 10.4 rho_L / rho_F (Hall 2011 appendix): p = C / (C + F).
C_PARTITION = FORBES_C_KG * RHO_L / RHO_F
# Glycogen: 0.5 kg at baseline, stored with 2.7 g water per g -> weight factor 3.7 (Hall 2011,
# Chow & Hall 2008); dG/dt = (CI - k_G G^2) / rho_G with k_G = CI_b / G_0^2.
GLYCOGEN_0_KG = 0.5
GLYCOGEN_WATER_FACTOR = 3.7
# Extracellular fluid (Hall 2011 appendix): [Na] 3.22 mg/ml = 3,220 mg/L,
# xi_Na = 3,000 mg/L/d, xi_CI = 4,000 mg/d.
NA_MG_PER_L = 3_220.0
XI_NA = 3_000.0
XI_CI = 4_000.0
# Share of energy from carbohydrate before and after the change (bw package default 0.5).
CARB_FRACTION = 0.5
# Mifflin-St Jeor with height in metres (Mifflin et al., Am J Clin Nutr 1990;51:241):
# RMR = 9.99 W + 625 H - 4.92 A + 5 (men) / - 161 (women).
MIFFLIN = (9.99, 625.0, 4.92, 5.0, -161.0)


def mifflin_rmr(sex: Sex, *, weight_kg: float, height_m: float, age: float) -> float:
    w, h, a, men, women = MIFFLIN
    return w * weight_kg + h * height_m - a * age + (men if sex == "male" else women)


def jackson_fat_pct(sex: Sex, *, age: float, bmi: float) -> float:
    """Jackson et al., Int J Obes 2002;26:789 (as used by Hall 2011):
    fat % = 0.14 A + 37.31 ln BMI - 103.94 (men), 0.14 A + 39.96 ln BMI - 102.01 (women)."""
    if sex == "male":
        return 0.14 * age + 37.31 * math.log(bmi) - 103.94
    return 0.14 * age + 39.96 * math.log(bmi) - 102.01


def silva_ecf_kg(sex: Sex, *, age: float, height_m: float, weight_kg: float) -> float:
    """Silva et al., Am J Hum Biol 2007;19:584 (as used by Hall 2011): extracellular fluid (L)
    0.025 A + 9.57 H + 0.191 W - 12.4 (men), -4.0 + 5.98 H + 0.167 W (women)."""
    if sex == "male":
        return 0.025 * age + 9.57 * height_m + 0.191 * weight_kg - 12.4
    return -4.0 + 5.98 * height_m + 0.167 * weight_kg


def energy_partition(fat_kg: float) -> float:
    """q: the share of an energy imbalance stored as / taken from lean tissue (Forbes)."""
    return C_PARTITION / (C_PARTITION + fat_kg)


def stored_energy_density(fat_kg: float) -> float:
    """kcal per kg of body-weight change at this fat mass: q rho_L + (1 - q) rho_F, with q the
    Forbes lean share of *mass* 10.4 / (10.4 + F) (DOMAIN.md)."""
    p = FORBES_C_KG / (FORBES_C_KG + fat_kg)
    return p * RHO_L + (1 - p) * RHO_F


@dataclass(frozen=True, slots=True)
class Person:
    sex: Sex
    age: float
    height_m: float
    weight_kg: float
    fat_pct: float | None = None  # measured body fat; None = Jackson estimate

    @property
    def bmi(self) -> float:
        return self.weight_kg / self.height_m**2


@dataclass(frozen=True, slots=True)
class Baseline:
    """The balanced starting state and the constants derived from it."""

    rmr: float
    pal: float
    intake: float  # EI_0, kcal/day: baseline intake = expenditure
    fat: float
    lean: float
    ecf: float
    delta: float  # physical-activity coefficient, kcal/kg/day
    k: float  # the constant that puts the baseline in balance

    @property
    def carb_intake(self) -> float:
        return CARB_FRACTION * self.intake

    @property
    def k_glycogen(self) -> float:
        return self.carb_intake / GLYCOGEN_0_KG**2


def baseline(person: Person, *, pal: float, intake: float | None = None) -> Baseline:
    """Hall 2011: EI_0 = RMR x PAL unless a measured maintenance intake is given; then the PAL
    implied by it (EI_0 / RMR) sets delta, so the activity term matches what was measured."""
    rmr = mifflin_rmr(
        person.sex, weight_kg=person.weight_kg, height_m=person.height_m, age=person.age
    )
    ei0 = intake if intake is not None else rmr * pal
    pal_eff = ei0 / rmr
    fat_pct = (
        person.fat_pct
        if person.fat_pct is not None
        else jackson_fat_pct(person.sex, age=person.age, bmi=person.bmi)
    )
    # A Jackson estimate can leave the plausible range for extreme BMIs: keep 3-70 %.
    fat = person.weight_kg * min(max(fat_pct, 3.0), 70.0) / 100
    ecf = silva_ecf_kg(
        person.sex, age=person.age, height_m=person.height_m, weight_kg=person.weight_kg
    )
    lean = person.weight_kg - fat - ecf - GLYCOGEN_WATER_FACTOR * GLYCOGEN_0_KG
    delta = ((1 - BETA_TEF) * pal_eff - 1) * rmr / person.weight_kg
    k = ei0 - GAMMA_F * fat - GAMMA_L * lean - delta * person.weight_kg
    return Baseline(rmr=rmr, pal=pal_eff, intake=ei0, fat=fat, lean=lean, ecf=ecf, delta=delta, k=k)


State = tuple[float, float, float, float, float]  # F, L, G, ECF, AT
Derivatives = Callable[[float, float, float, float, float], State]


def derivatives(b: Baseline, d_ei: float) -> Derivatives:
    """d(F, L, G, ECF, AT)/dt for a constant intake change: the intake-only terms are computed
    once per run (the forecast evaluates this 12 x horizon times per request)."""
    intake = b.intake + d_ei
    carbs = CARB_FRACTION * intake
    k_gly = b.k_glycogen
    # Sodium intake is not tracked: its change is 0, only the carbohydrate term moves ECF.
    ecf_carb_term = XI_CI * (1 - carbs / b.carb_intake)
    at_target = BETA_AT * d_ei
    # K + TEF (beta_TEF x dEI), the constant part of expenditure.
    k_tef = b.k + BETA_TEF * d_ei
    ecf0, delta = b.ecf, b.delta

    def rates(fat: float, lean: float, gly: float, ecf: float, at: float) -> State:
        d_gly = (carbs - k_gly * gly * gly) / RHO_G
        d_ecf = (-XI_NA * (ecf - ecf0) - ecf_carb_term) / NA_MG_PER_L
        d_at = (at_target - at) / TAU_AT_DAYS
        weight = fat + lean + GLYCOGEN_WATER_FACTOR * gly + ecf
        q = C_PARTITION / (C_PARTITION + fat)  # energy_partition(fat), inlined
        # EE = K + gF F + gL L + delta BW + TEF + AT + etaL dL/dt + etaF dF/dt, and the
        # deposition terms depend on EE itself: solved in closed form with
        # a = q etaL/rhoL + (1-q) etaF/rhoF.
        a = q * (ETA_L / RHO_L) + (1 - q) * (ETA_F / RHO_F)
        available = intake - RHO_G * d_gly  # energy left after glycogen storage
        base = k_tef + GAMMA_F * fat + GAMMA_L * lean + delta * weight + at
        expenditure = (base + a * available) / (1 + a)
        imbalance = available - expenditure
        return ((1 - q) * imbalance / RHO_F, q * imbalance / RHO_L, d_gly, d_ecf, d_at)

    return rates


def rk4_step(rates: Derivatives, y: State) -> State:
    """One classic Runge-Kutta step of one day, written out per component."""
    f, ln, g, e, a = y
    k1 = rates(f, ln, g, e, a)
    k2 = rates(f + 0.5 * k1[0], ln + 0.5 * k1[1], g + 0.5 * k1[2], e + 0.5 * k1[3], a + 0.5 * k1[4])
    k3 = rates(f + 0.5 * k2[0], ln + 0.5 * k2[1], g + 0.5 * k2[2], e + 0.5 * k2[3], a + 0.5 * k2[4])
    k4 = rates(f + k3[0], ln + k3[1], g + k3[2], e + k3[3], a + k3[4])
    return (
        f + (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]) / 6,
        ln + (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]) / 6,
        g + (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2]) / 6,
        e + (k1[3] + 2 * k2[3] + 2 * k3[3] + k4[3]) / 6,
        a + (k1[4] + 2 * k2[4] + 2 * k3[4] + k4[4]) / 6,
    )


@dataclass(frozen=True, slots=True)
class Trajectory:
    weight: list[float]  # day 0 .. days
    fat: list[float]
    lean: list[float]


def simulate(b: Baseline, *, intake_change: float, days: int) -> Trajectory:
    """Daily body weight for a constant intake change (kcal/day vs the baseline)."""
    rates = derivatives(b, intake_change)
    y: State = (b.fat, b.lean, GLYCOGEN_0_KG, b.ecf, 0.0)
    weights = [_weight(y)]
    fats = [y[0]]
    leans = [y[1]]
    for _ in range(days):
        y = rk4_step(rates, y)
        weights.append(_weight(y))
        fats.append(y[0])
        leans.append(y[1])
    return Trajectory(weights, fats, leans)


def _weight(y: State) -> float:
    return y[0] + y[1] + GLYCOGEN_WATER_FACTOR * y[2] + y[3]
