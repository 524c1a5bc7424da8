"""Use cases: analysis findings over a period, and the Hall-model forecast with its band."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.problems import Conflict
from progress import users
from progress.domain import analysis, forecast, hall, tdee
from progress.insights import history
from progress.insights.schemas import (
    AnalysisOut,
    AnalyzeIn,
    FindingOut,
    ForecastIn,
    ForecastOut,
    ForecastPoint,
    TargetOut,
    TdeeOut,
)
from progress.weights import repository as weight_repository
from progress.weights.service import date_error

DEFAULT_WINDOW_DAYS = 28
MAX_WINDOW_DAYS = 366
# Beyond ~4 months a daily series is more points than a phone chart can show: weekly then.
DAILY_POINTS_MAX_DAYS = 120
# An adaptive TDEE outside this range means broken logs, not physiology: fall back to the prior.
TDEE_PLAUSIBLE = (800.0, 6000.0)


def findings_out(items: list[analysis.Finding]) -> list[FindingOut]:
    return [
        FindingOut(
            code=f.code,
            severity=f.severity,
            message=f.message,
            source=f.source,
            evidence=f.evidence,
        )
        for f in items
    ]


async def _today(session: AsyncSession, user_id: UUID) -> date:
    return users.latest_possible_today(await users.profile(session, user_id), datetime.now(UTC))


async def analyze(*, session: AsyncSession, user_id: UUID, data: AnalyzeIn) -> AnalysisOut:
    today = await _today(session, user_id)
    end = data.end or today
    start = data.start or end - timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    if start > end:
        raise date_error("body.from", "from must not be after to")
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise date_error("body.from", f"at most {MAX_WINDOW_DAYS} days")
    h = await history.load(session, user_id, start, end)
    period = h.period()
    return AnalysisOut(
        start=start,
        end=end,
        weigh_ins=len(period.weigh_ins),
        logged_days=len(period.intake),
        target_kcal=period.target_kcal,
        maintenance_kcal=round(period.maintenance_kcal) if period.maintenance_kcal else None,
        findings=findings_out(analysis.analyze(period)),
    )


async def run_forecast(*, session: AsyncSession, user_id: UUID, data: ForecastIn) -> ForecastOut:
    today = await _today(session, user_id)
    by_day = None
    if data.target_date is not None:
        by_day = (data.target_date - today).days
        if not 1 <= by_day <= 730:
            raise date_error("body.targetDate", "targetDate must be 1 to 730 days after today")
    h = await history.load(
        session, user_id, today - timedelta(days=DEFAULT_WINDOW_DAYS - 1), today, workouts=False
    )
    missing = history.missing_profile_fields(h.profile)
    # No weigh-in lies after today: the window's last one is the latest when there is one.
    latest = h.weights[-1] if h.weights else await weight_repository.latest(session, user_id)
    start_weight = latest.trend_kg if latest else (h.profile.weight_kg if h.profile else None)
    if start_weight is None:
        missing.append("weightKg")
    person = h.person(weight_kg=start_weight)
    if missing or person is None or start_weight is None:
        raise Conflict(
            "The forecast needs sex, birth date and height in your profile and a weight.",
            extra={"missingFields": missing or ["profile"]},
        )
    with_fat = await weight_repository.latest(session, user_id, with_body_fat=True)
    if with_fat is not None and with_fat.body_fat_pct is not None:
        person = hall.Person(
            person.sex, person.age, person.height_m, start_weight, with_fat.body_fat_pct
        )
    pal = data.pal or history.pal_for(h.profile)
    prior = hall.baseline(person, pal=pal)
    est = tdee.estimate(
        weights=[(w.day, w.weight_kg) for w in h.weights],
        intakes=[(i.day, i.kcal) for i in h.intake],
        prior_tdee=prior.intake,
        fat_kg=prior.fat,
    )
    if est.method == "adaptive" and not TDEE_PLAUSIBLE[0] <= est.tdee <= TDEE_PLAUSIBLE[1]:
        est = tdee.prior(prior.intake, weigh_ins=est.weigh_ins, intake_days=est.intake_days)
    b = hall.baseline(person, pal=pal, intake=est.tdee) if est.method == "adaptive" else prior
    change, source = _intake_change(data, est, b, h)
    days = max(data.horizon_days, by_day or 0)
    result = forecast.forecast(
        b,
        start_weight=start_weight,
        intake_change=change,
        intake_sd=est.sd,
        days=days,
        target_weight=data.target_weight_kg,
        by_day=by_day,
    )
    return ForecastOut(
        uncertainty="adaptive-tdee" if est.method == "adaptive" else "prior",
        band_level=forecast.BAND_LEVEL,
        start_date=today,
        start_weight_kg=round(start_weight, 2),
        body_fat_pct=round(b.fat / start_weight * 100, 1),
        body_fat_source="measured" if person.fat_pct is not None else "jackson-estimate",
        pal=round(b.pal, 3),
        baseline_intake_kcal=round(b.intake),
        calorie_change_kcal=round(change),
        calorie_change_source=source,
        tdee=TdeeOut(
            kcal=round(est.tdee),
            sd_kcal=round(est.sd),
            method=est.method,
            weigh_ins=est.weigh_ins,
            intake_days=est.intake_days,
        ),
        resolution="daily" if data.horizon_days <= DAILY_POINTS_MAX_DAYS else "weekly",
        points=_points(result, today, data.horizon_days),
        target=_target(data, result, today),
    )


def _intake_change(
    data: ForecastIn, est: tdee.TdeeEstimate, b: hall.Baseline, h: history.History
) -> tuple[float, str]:
    if data.calorie_change_kcal is not None:
        return data.calorie_change_kcal, "request"
    if est.method == "adaptive" and est.mean_intake is not None:
        return est.mean_intake - est.tdee, "intake-log"
    if h.target is not None:
        return h.target.daily_calories - b.intake, "nutrition-target"
    return 0.0, "none"


def _points(result: forecast.ForecastResult, today: date, horizon: int) -> list[ForecastPoint]:
    step = 1 if horizon <= DAILY_POINTS_MAX_DAYS else 7
    days = list(range(0, horizon + 1, step))
    if days[-1] != horizon:
        days.append(horizon)
    # Built from model output (plain floats): constructed without re-validation, 100s per reply.
    return [
        ForecastPoint.model_construct(
            day=today + timedelta(days=d),
            expected_kg=round(result.expected[d], 2),
            lower_kg=round(result.lower[d], 2),
            upper_kg=round(result.upper[d], 2),
        )
        for d in days
    ]


def _target(data: ForecastIn, result: forecast.ForecastResult, today: date) -> TargetOut | None:
    if data.target_weight_kg is None:
        return None
    return TargetOut(
        weight_kg=data.target_weight_kg,
        expected_date=(
            today + timedelta(days=result.target_day) if result.target_day is not None else None
        ),
        target_date=data.target_date,
        probability=round(result.probability, 3) if result.probability is not None else None,
    )
