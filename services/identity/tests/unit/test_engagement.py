"""The engagement maths on a small history whose numbers were computed by hand."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from identity.domain import engagement

D = date


def _activity(history: Any) -> list[tuple[str, date]]:
    pairs = [(u, d) for u, days in history.active.items() for d in days]
    return pairs + pairs[:5]  # duplicates must not count twice


@pytest.fixture(scope="module")
def result(history: Any) -> engagement.Engagement:
    return engagement.compute(
        signups=history.signups,
        activity=_activity(history),
        start=history.start,
        end=history.end,
    )


def _day(result: engagement.Engagement, day: date) -> engagement.DayMetrics:
    return next(d for d in result.days if d.day == day)


def test_every_day_of_the_range_once(result: engagement.Engagement, history: Any) -> None:
    assert [d.day for d in result.days] == engagement.days_between(history.start, history.end)
    assert len(result.days) == 35


@pytest.mark.parametrize(
    ("day", "dau", "wau", "mau"),
    [
        # window Dec 30..Jan 5 / Dec 7..Jan 5: u0 u1 u2 + u9 (Jan 1)
        (D(2026, 1, 5), 3, 4, 4),
        # DAU u0 u5 u6; WAU Jan 6..12: u0 u1 u3 u4 u5 u6 u9; MAU adds u2
        (D(2026, 1, 12), 3, 7, 8),
        # DAU u7; WAU Jan 15..21: u5 u7; MAU Dec 23..Jan 21: u0..u7 + u9
        (D(2026, 1, 21), 1, 2, 9),
        # nobody that day or the week before; MAU Jan 5..Feb 3: all ten (u9 via Jan 10)
        (D(2026, 2, 3), 0, 0, 10),
        # WAU Feb 2..8: u0 u3; MAU Jan 10..Feb 8: u0 u3 u5 u6 u7 u8 u9 (u1 u2 u4 fell out)
        (D(2026, 2, 8), 0, 2, 7),
    ],
)
def test_dau_wau_mau(
    result: engagement.Engagement, day: date, dau: int, wau: int, mau: int
) -> None:
    metrics = _day(result, day)
    assert (metrics.dau, metrics.wau, metrics.mau) == (dau, wau, mau)
    assert metrics.stickiness == pytest.approx(dau / mau)


def test_registrations_per_day_and_total(result: engagement.Engagement) -> None:
    per_day = {d.day: d.registrations for d in result.days if d.registrations}
    assert per_day == {
        D(2026, 1, 5): 3,
        D(2026, 1, 6): 1,
        D(2026, 1, 7): 1,
        D(2026, 1, 12): 2,
        D(2026, 1, 14): 1,
        D(2026, 1, 26): 1,
    }
    assert result.registrations == 9


def test_summary_stickiness_is_the_mean_of_daily_ratios(result: engagement.Engagement) -> None:
    # Days with DAU > 0 (DAU/MAU): Jan 5 3/4, Jan 6 3/5, Jan 7 1/6, Jan 8 1/6, Jan 10 1/6,
    # Jan 12 3/8, Jan 13 2/8, Jan 14 1/9, Jan 19 1/9, Jan 21 1/9, Jan 26 1/10, Jan 27 1/10,
    # Feb 4 1/9, Feb 5 1/8; every other day 0 (MAU > 0 on all 35 days).
    # Sum = 1168/360 = 146/45; mean over 35 days = 146/1575.
    assert result.stickiness == pytest.approx(146 / 1575)


def test_weekly_cohort_retention(result: engagement.Engagement) -> None:
    cohorts = {(c.iso_year, c.iso_week): c for c in result.cohorts}
    assert sorted(cohorts) == [(2026, 2), (2026, 3), (2026, 5)]
    w02 = cohorts[(2026, 2)]
    assert (w02.week_start, w02.size) == (D(2026, 1, 5), 5)
    # D1: u0 u1 u4; D7: u0 u3; D30: u0 (Feb 4) u3 (Feb 5)
    assert w02.retention == {1: pytest.approx(0.6), 7: pytest.approx(0.4), 30: pytest.approx(0.4)}
    w03 = cohorts[(2026, 3)]
    # D1: u5; D7: u5 u7; D30 not measurable (Jan 14 + 30 = Feb 13 > Feb 8)
    assert w03.size == 3
    assert w03.retention == {1: pytest.approx(1 / 3), 7: pytest.approx(2 / 3), 30: None}
    w05 = cohorts[(2026, 5)]
    assert (w05.size, w05.retention) == (1, {1: 1.0, 7: 0.0, 30: None})


def test_empty_history_is_all_zero_with_undefined_stickiness() -> None:
    day = D(2026, 1, 5)
    result = engagement.compute(signups={}, activity=[], start=day, end=day)
    assert [(d.dau, d.wau, d.mau, d.stickiness) for d in result.days] == [(0, 0, 0, None)]
    assert (result.registrations, result.stickiness, result.cohorts) == (0, None, [])


def test_windows_are_exactly_7_and_30_days() -> None:
    active_on = D(2026, 3, 1)
    result = engagement.compute(
        signups={},
        activity=[("x", active_on)],
        start=active_on,
        end=active_on + timedelta(days=31),
    )
    wau = [d.wau for d in result.days]
    mau = [d.mau for d in result.days]
    assert wau == [1] * 7 + [0] * 25
    assert mau == [1] * 30 + [0] * 2


def test_start_after_end_is_refused() -> None:
    with pytest.raises(ValueError, match="start"):
        engagement.compute(signups={}, activity=[], start=D(2026, 2, 8), end=D(2026, 1, 5))
