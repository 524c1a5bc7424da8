"""Engagement metrics from signup dates and activity days (pure: no I/O, no clock).

Definitions (UTC calendar days; also the OpenAPI description of ``GET /admin/metrics``):

- a user is *active* on a day when they did anything that day (login, refresh, any domain event);
- **DAU**\\(d) = distinct users active on d;
- **WAU**\\(d) = distinct users active on at least one day of the 7 days ending on d (d-6 .. d);
- **MAU**\\(d) = the same over the 30 days ending on d (d-29 .. d);
- **stickiness**\\(d) = DAU(d) / MAU(d) (None when MAU is 0); the summary stickiness is the mean
  of the daily values over the days where it is defined;
- **registrations**\\(d) = users whose signup falls on d;
- **cohort** = users whose signup falls in one ISO week (Monday..Sunday), restricted to signups
  inside the requested range;
- **Dn retention** of a cohort = share of its members active on their own signup day + n. It is
  None until every member's day signup + n is inside the observed range (not yet measurable).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

WAU_WINDOW_DAYS = 7
MAU_WINDOW_DAYS = 30
RETENTION_OFFSETS = (1, 7, 30)

UserKey = TypeVar("UserKey", bound=Hashable)
# How far before the range activity must be known for WAU/MAU of its first day.
LOOKBACK_DAYS = MAU_WINDOW_DAYS - 1


@dataclass(frozen=True, slots=True)
class DayMetrics:
    day: date
    registrations: int
    dau: int
    wau: int
    mau: int
    stickiness: float | None


@dataclass(frozen=True, slots=True)
class CohortRetention:
    iso_year: int
    iso_week: int
    week_start: date
    size: int
    # offset n -> share of the cohort active on signup + n (None: not yet measurable)
    retention: dict[int, float | None]


@dataclass(frozen=True, slots=True)
class Engagement:
    start: date
    end: date
    days: list[DayMetrics]
    cohorts: list[CohortRetention]
    registrations: int
    stickiness: float | None


def days_between(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive (empty when start > end)."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def compute(
    *,
    signups: Mapping[UserKey, date],
    activity: Iterable[tuple[UserKey, date]],
    start: date,
    end: date,
) -> Engagement:
    """Metrics for every day in ``start..end``.

    ``signups`` maps each user to their signup day; ``activity`` holds (user, day) pairs
    (duplicates are harmless) and must cover ``start - 29`` .. ``end`` for exact WAU/MAU.
    Activity of users absent from ``signups`` still counts for DAU/WAU/MAU.
    """
    if start > end:
        raise ValueError("start must not be after end")
    active_by_day: dict[date, set[UserKey]] = defaultdict(set)
    days_by_user: dict[UserKey, set[date]] = defaultdict(set)
    for user, day in activity:
        active_by_day[day].add(user)
        days_by_user[user].add(day)
    wau = _window_counts(days_by_user, WAU_WINDOW_DAYS, start, end)
    mau = _window_counts(days_by_user, MAU_WINDOW_DAYS, start, end)

    registrations_by_day: dict[date, int] = defaultdict(int)
    for day in signups.values():
        registrations_by_day[day] += 1

    days: list[DayMetrics] = []
    for i, day in enumerate(days_between(start, end)):
        dau = len(active_by_day.get(day, ()))
        days.append(
            DayMetrics(
                day=day,
                registrations=registrations_by_day.get(day, 0),
                dau=dau,
                wau=wau[i],
                mau=mau[i],
                stickiness=dau / mau[i] if mau[i] else None,
            )
        )
    defined = [d.stickiness for d in days if d.stickiness is not None]
    return Engagement(
        start=start,
        end=end,
        days=days,
        cohorts=_cohorts(signups, active_by_day, start, end),
        registrations=sum(d.registrations for d in days),
        stickiness=sum(defined) / len(defined) if defined else None,
    )


def _window_counts(
    days_by_user: Mapping[UserKey, set[date]], window: int, start: date, end: date
) -> list[int]:
    """Per day of ``start..end``: users active at least once in the ``window`` days ending then.

    Each active day a covers the days a .. a + window - 1; a user's overlapping covers are merged
    so they count once, then a difference array sums users per day (linear in activity rows).
    """
    length = (end - start).days + 1
    diff = [0] * (length + 1)
    span = timedelta(days=window - 1)
    for active_days in days_by_user.values():
        merged: list[list[date]] = []
        for a in sorted(active_days):
            if merged and a <= merged[-1][1] + timedelta(days=1):
                merged[-1][1] = max(merged[-1][1], a + span)
            else:
                merged.append([a, a + span])
        for first, last in merged:
            lo, hi = max(first, start), min(last, end)
            if lo > hi:
                continue
            diff[(lo - start).days] += 1
            diff[(hi - start).days + 1] -= 1
    counts: list[int] = []
    running = 0
    for i in range(length):
        running += diff[i]
        counts.append(running)
    return counts


def _cohorts(
    signups: Mapping[UserKey, date],
    active_by_day: Mapping[date, set[UserKey]],
    start: date,
    end: date,
) -> list[CohortRetention]:
    members: dict[tuple[int, int], list[tuple[UserKey, date]]] = defaultdict(list)
    for user, signup in signups.items():
        if start <= signup <= end:
            iso = signup.isocalendar()
            members[(iso.year, iso.week)].append((user, signup))
    cohorts: list[CohortRetention] = []
    for (year, week), users in sorted(members.items()):
        retention: dict[int, float | None] = {}
        for n in RETENTION_OFFSETS:
            if any(signup + timedelta(days=n) > end for _, signup in users):
                retention[n] = None
                continue
            kept = sum(
                1
                for user, signup in users
                if user in active_by_day.get(signup + timedelta(days=n), ())
            )
            retention[n] = kept / len(users)
        cohorts.append(
            CohortRetention(
                iso_year=year,
                iso_week=week,
                week_start=date.fromisocalendar(year, week, 1),
                size=len(users),
                retention=retention,
            )
        )
    return cohorts
