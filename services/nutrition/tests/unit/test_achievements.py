"""Weekly achievements and the user's last completed week across time zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nutrition.domain.achievements import (
    CALORIE_TARGET_5_OF_7,
    LOGGED_EVERY_DAY,
    PROTEIN_TARGET_5_OF_7,
    DayIntake,
    evaluate_week,
    last_completed_week,
    week_bounds_utc,
)

MONDAY = date(2026, 11, 16)


def _week(kcals: list[float], proteins: list[float]) -> dict[date, DayIntake]:
    return {
        MONDAY + timedelta(days=i): DayIntake(kcal=k, protein_g=p)
        for i, (k, p) in enumerate(zip(kcals, proteins, strict=True))
    }


def test_five_of_seven_thresholds() -> None:
    # Exactly 5 days within ±10 % (1800 and 2200 are on the edges), 2 outside.
    kcals = [2000, 1800, 2200, 1950, 2050, 2300, 1500]
    proteins = [100, 90, 90, 89, 150, 80, 85]  # ≥ 90 on 4 days only
    result = evaluate_week(
        week_start=MONDAY,
        daily_totals=_week(kcals, proteins),
        target_kcal=2000,
        target_protein_g=100,
        logged_days={MONDAY + timedelta(days=i) for i in range(7)},
    )
    assert result.calorie_days == 5
    assert result.protein_days == 4
    assert result.earned == (CALORIE_TARGET_5_OF_7, LOGGED_EVERY_DAY)


def test_four_days_do_not_earn_and_missing_day_breaks_streak() -> None:
    kcals = [2000, 2000, 2000, 2000, 2500, 2500, 2500]
    result = evaluate_week(
        week_start=MONDAY,
        daily_totals=_week(kcals, [100] * 7),
        target_kcal=2000,
        target_protein_g=100,
        logged_days={MONDAY + timedelta(days=i) for i in range(6)},
    )
    assert result.calorie_days == 4
    assert result.earned == (PROTEIN_TARGET_5_OF_7,)


def test_week_start_must_be_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        evaluate_week(
            week_start=MONDAY + timedelta(days=1),
            daily_totals={},
            target_kcal=2000,
            target_protein_g=100,
            logged_days=set(),
        )


@pytest.mark.parametrize(
    ("now_utc", "tz", "expected_monday"),
    [
        # Monday 00:30 UTC: still Sunday in New York → last completed week ended a week earlier.
        (datetime(2026, 11, 23, 0, 30, tzinfo=UTC), "America/New_York", date(2026, 11, 9)),
        # Same instant in Tokyo is Monday 09:30 → the week of 16–22 Nov just completed.
        (datetime(2026, 11, 23, 0, 30, tzinfo=UTC), "Asia/Tokyo", date(2026, 11, 16)),
        # Sunday 23:00 UTC is Monday 00:00 in Berlin (CET, UTC+1).
        (datetime(2026, 11, 22, 23, 0, tzinfo=UTC), "Europe/Berlin", date(2026, 11, 16)),
        (datetime(2026, 11, 22, 22, 59, tzinfo=UTC), "Europe/Berlin", date(2026, 11, 9)),
        # Kiritimati (UTC+14) is a day ahead of UTC.
        (datetime(2026, 11, 22, 10, 0, tzinfo=UTC), "Pacific/Kiritimati", date(2026, 11, 16)),
    ],
)
def test_last_completed_week(now_utc: datetime, tz: str, expected_monday: date) -> None:
    monday, sunday = last_completed_week(now_utc, tz)
    assert monday == expected_monday
    assert sunday == expected_monday + timedelta(days=6)
    assert monday.weekday() == 0


def test_week_bounds_across_dst() -> None:
    # Europe/Berlin leaves DST on Sunday 25 Oct 2026: that week is 169 hours long.
    start, end = week_bounds_utc(date(2026, 10, 19), "Europe/Berlin")
    assert start == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)  # CEST, UTC+2
    assert end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # CET, UTC+1
    assert end - start == timedelta(hours=169)
    # US spring-forward week (8 Mar 2026) is 167 hours long.
    start, end = week_bounds_utc(date(2026, 3, 2), "America/New_York")
    assert end - start == timedelta(hours=167)


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        last_completed_week(datetime(2026, 11, 23, 12, 0), "UTC")
