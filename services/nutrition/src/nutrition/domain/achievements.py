"""Weekly nutrition achievements and the user's last completed week (in their time zone).

Weeks are ISO weeks, Monday–Sunday, in the user's IANA time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CALORIE_TARGET_5_OF_7 = "calorie_target_5_of_7"
PROTEIN_TARGET_5_OF_7 = "protein_target_5_of_7"
LOGGED_EVERY_DAY = "logged_every_day"
ACHIEVEMENT_CODES = (CALORIE_TARGET_5_OF_7, PROTEIN_TARGET_5_OF_7, LOGGED_EVERY_DAY)

DAYS_REQUIRED = 5  # "5 of 7"
KCAL_TOLERANCE = 0.10  # a day "hits" energy within ±10 % of target (same as plan validation)
# Protein is a floor more than a point: a day hits it at ≥ 90 % of the target (more is fine).
PROTEIN_MIN_FRACTION = 0.90


@dataclass(frozen=True, slots=True)
class DayIntake:
    kcal: float
    protein_g: float


@dataclass(frozen=True, slots=True)
class WeekResult:
    week_start: date
    calorie_days: int
    protein_days: int
    logged_days: int
    earned: tuple[str, ...]


def week_days(monday: date) -> list[date]:
    if monday.weekday() != 0:
        raise ValueError(f"{monday} is not a Monday")
    return [monday + timedelta(days=i) for i in range(7)]


def evaluate_week(
    *,
    week_start: date,
    daily_totals: Mapping[date, DayIntake],
    target_kcal: float,
    target_protein_g: float,
    logged_days: set[date] | frozenset[date],
) -> WeekResult:
    """Which achievements a week earns. A day without totals counts as missed; days outside the
    week are ignored."""
    days = week_days(week_start)
    calorie_days = protein_days = 0
    for day in days:
        intake = daily_totals.get(day)
        if intake is None:
            continue
        if abs(intake.kcal - target_kcal) <= KCAL_TOLERANCE * target_kcal:
            calorie_days += 1
        if intake.protein_g >= PROTEIN_MIN_FRACTION * target_protein_g:
            protein_days += 1
    logged = sum(1 for day in days if day in logged_days)
    earned = []
    if calorie_days >= DAYS_REQUIRED:
        earned.append(CALORIE_TARGET_5_OF_7)
    if protein_days >= DAYS_REQUIRED:
        earned.append(PROTEIN_TARGET_5_OF_7)
    if logged == len(days):
        earned.append(LOGGED_EVERY_DAY)
    return WeekResult(
        week_start=week_start,
        calorie_days=calorie_days,
        protein_days=protein_days,
        logged_days=logged,
        earned=tuple(earned),
    )


def local_date(moment_utc: datetime, tz: str) -> date:
    if moment_utc.tzinfo is None:
        raise ValueError("moment_utc must be timezone-aware")
    return moment_utc.astimezone(ZoneInfo(tz)).date()


def last_completed_week(now_utc: datetime, tz: str) -> tuple[date, date]:
    """(Monday, Sunday) of the most recent week that has fully ended in the user's zone."""
    today = local_date(now_utc, tz)
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(days=7), this_monday - timedelta(days=1)


def local_day_bounds_utc(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as aware UTC datetimes (23 or 25 h across DST)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def week_bounds_utc(monday: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a local Monday–Sunday week in UTC, for querying diary entries."""
    start, _ = local_day_bounds_utc(monday, tz)
    _, end = local_day_bounds_utc(monday + timedelta(days=6), tz)
    return start, end
