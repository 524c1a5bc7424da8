"""Findings about a period of weigh-ins and intake (pure): stable codes, evidence, a message a
person can act on, and the source of each rule."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from progress.domain.tdee import slope

# Losing more than 1 % of body weight per week costs lean mass: 0.5-1 %/week is the evidence-based
# ceiling (Helms, Aragon & Fitschen, J Int Soc Sports Nutr 2014;11:20; Garthe et al., Int J Sport
# Nutr Exerc Metab 2011;21:97).
MAX_LOSS_PCT_PER_WEEK = 1.0
SOURCE_RAPID = "Helms et al., J Int Soc Sports Nutr 2014;11:20; Garthe et al., IJSNEM 2011;21:97"
# A gain faster than 0.1 kg/week while the goal is to lose is beyond day-to-day noise on a trend
# (our threshold; the trend's day-to-day noise is ~0.1 kg, Walker, The Hacker's Diet).
GAIN_KG_PER_WEEK = 0.1
SOURCE_GAIN = "Walker, The Hacker's Diet (trend noise); energy balance, Hall et al., Lancet 2011"
# Plateau: trend moves less than 0.1 kg over >= 14 days while eating below maintenance
# (issue 10's rule; adaptation of expenditure: Hall et al., Lancet 2011;378:826).
PLATEAU_KG = 0.1
PLATEAU_MIN_DAYS = 14
SOURCE_PLATEAU = "Hall et al., Lancet 2011;378:826 (expenditure adapts as intake falls)"
# Intake vs target: a day counts as off-target beyond +-10 % (our tolerance, about the error of a
# careful food log), and "most" logged days means more than half.
TARGET_TOLERANCE = 0.10
MOST_DAYS_SHARE = 0.5
SOURCE_TARGET = "nutrition target (Mifflin-St Jeor x PAL, Mifflin et al., Am J Clin Nutr 1990)"
# Minimum data to judge: two weigh-ins a week and half of the days logged (our thresholds: fewer
# weigh-ins leave the trend dominated by water swings, Walker, The Hacker's Diet).
WEIGH_INS_PER_WEEK = 2
MIN_WEIGH_INS = 3
SOURCE_DATA = "Walker, The Hacker's Diet (daily weighing and the trend)"

Severity = str  # "info" | "warning" | "alert"


@dataclass(frozen=True, slots=True)
class WeighIn:
    day: date
    weight: float
    trend: float


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    source: str
    evidence: dict[str, float | int | str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    weigh_ins: Sequence[WeighIn]
    intake: Sequence[tuple[date, float]]  # (day, kcal) for logged days
    target_kcal: float | None = None
    maintenance_kcal: float | None = None
    goal: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def analyze(p: Period) -> list[Finding]:
    findings: list[Finding] = []
    min_weigh_ins = max(MIN_WEIGH_INS, math.ceil(p.days / 7 * WEIGH_INS_PER_WEEK))
    min_logged = max(3, math.ceil(p.days / 2))
    enough_weights = len(p.weigh_ins) >= min_weigh_ins
    enough_intake = len(p.intake) >= min_logged
    if not enough_weights:
        findings.append(
            Finding(
                "TOO_FEW_WEIGH_INS",
                "info",
                f"Only {len(p.weigh_ins)} weigh-ins in {p.days} days: weigh yourself at least "
                f"{WEIGH_INS_PER_WEEK} times a week, same time of day, to see a reliable trend.",
                SOURCE_DATA,
                {"weighIns": len(p.weigh_ins), "needed": min_weigh_ins, "days": p.days},
            )
        )
    if not enough_intake:
        findings.append(
            Finding(
                "TOO_FEW_LOGGED_DAYS",
                "info",
                f"Only {len(p.intake)} of {p.days} days logged in the diary: log at least half "
                "of your days so intake can be compared with your target.",
                SOURCE_DATA,
                {"loggedDays": len(p.intake), "needed": min_logged, "days": p.days},
            )
        )
    mean_intake = sum(k for _, k in p.intake) / len(p.intake) if p.intake else None
    if enough_weights:
        findings.extend(_weight_findings(p, mean_intake))
    if enough_intake and p.target_kcal:
        findings.extend(_target_findings(p))
    return findings


def _weight_findings(p: Period, mean_intake: float | None) -> list[Finding]:
    out: list[Finding] = []
    first = p.weigh_ins[0]
    last = p.weigh_ins[-1]
    span = (last.day - first.day).days
    if span < 7:
        return out
    rate, _ = slope([((w.day - first.day).days, w.weight) for w in p.weigh_ins])
    per_week = rate * 7
    mean_weight = sum(w.weight for w in p.weigh_ins) / len(p.weigh_ins)
    pct_week = per_week / mean_weight * 100
    evidence: dict[str, float | int | str | None] = {
        "kgPerWeek": round(per_week, 3),
        "pctPerWeek": round(pct_week, 2),
        "days": span,
    }
    if pct_week < -MAX_LOSS_PCT_PER_WEEK:
        out.append(
            Finding(
                "LOSING_TOO_FAST",
                "warning",
                f"You are losing {-pct_week:.1f} % of your body weight per week; above "
                f"{MAX_LOSS_PCT_PER_WEEK:.0f} % you lose muscle as well as fat. Eat a little "
                "more (about 200-300 kcal a day) and keep protein high.",
                SOURCE_RAPID,
                {**evidence, "limitPctPerWeek": MAX_LOSS_PCT_PER_WEEK},
            )
        )
    if p.goal == "lose" and per_week > GAIN_KG_PER_WEEK:
        out.append(
            Finding(
                "GAINING_WHILE_LOSING",
                "warning",
                f"Your goal is to lose weight but you gained {per_week:.2f} kg per week. Check "
                "your portions against your calorie target and log every day.",
                SOURCE_GAIN,
                {**evidence, "goal": p.goal},
            )
        )
    trend_change = last.trend - first.trend
    in_deficit = (
        mean_intake is not None
        and p.maintenance_kcal is not None
        and mean_intake < p.maintenance_kcal
    )
    if span >= PLATEAU_MIN_DAYS and abs(trend_change) < PLATEAU_KG and in_deficit:
        assert mean_intake is not None
        assert p.maintenance_kcal is not None
        out.append(
            Finding(
                "PLATEAU",
                "info",
                f"Your trend moved only {trend_change:+.2f} kg in {span} days although you eat "
                f"about {p.maintenance_kcal - mean_intake:.0f} kcal below your estimated "
                "maintenance. Your expenditure has adapted or your log misses something: weigh "
                "food for a week, or add activity.",
                SOURCE_PLATEAU,
                {
                    "trendChangeKg": round(trend_change, 3),
                    "days": span,
                    "meanIntakeKcal": round(mean_intake),
                    "maintenanceKcal": round(p.maintenance_kcal),
                },
            )
        )
    return out


def _target_findings(p: Period) -> list[Finding]:
    assert p.target_kcal is not None
    target = p.target_kcal
    below = sum(1 for _, k in p.intake if k < target * (1 - TARGET_TOLERANCE))
    above = sum(1 for _, k in p.intake if k > target * (1 + TARGET_TOLERANCE))
    n = len(p.intake)
    evidence: dict[str, float | int | str | None] = {
        "targetKcal": round(target),
        "loggedDays": n,
        "daysBelow": below,
        "daysAbove": above,
        "tolerancePct": TARGET_TOLERANCE * 100,
    }
    out: list[Finding] = []
    if below / n > MOST_DAYS_SHARE:
        out.append(
            Finding(
                "INTAKE_BELOW_TARGET",
                "warning",
                f"You ate more than 10 % under your target of {target:.0f} kcal on {below} of "
                f"{n} logged days. Eating too little slows progress and costs muscle: add a "
                "snack or a bigger portion to reach your target.",
                SOURCE_TARGET,
                evidence,
            )
        )
    if above / n > MOST_DAYS_SHARE:
        out.append(
            Finding(
                "INTAKE_ABOVE_TARGET",
                "warning",
                f"You ate more than 10 % over your target of {target:.0f} kcal on {above} of "
                f"{n} logged days. Plan meals ahead and watch drinks and snacks.",
                SOURCE_TARGET,
                evidence,
            )
        )
    return out
