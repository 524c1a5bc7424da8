"""Local days and ISO weeks in a user's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fitness_platform.calendar import day_has_ended, iso_week_start, local_date
from fitness_platform.projections.user_profiles import zone_or_utc

NY = ZoneInfo("America/New_York")


def test_local_date_crosses_midnight_in_utc() -> None:
    # 23:30 in New York on 3 Dec (EST, UTC-5) is 04:30 UTC on 4 Dec.
    instant = datetime(2026, 12, 4, 4, 30, tzinfo=UTC)
    assert local_date(instant, NY) == date(2026, 12, 3)
    assert local_date(instant, UTC) == date(2026, 12, 4)
    assert local_date(datetime(2026, 12, 4, 4, 30), NY) == date(2026, 12, 3)  # naive = UTC


def test_local_date_across_dst() -> None:
    # DST ends 1 Nov 2026 in New York: 03:30 UTC is still 31 Oct (EDT, UTC-4) at 23:30.
    assert local_date(datetime(2026, 11, 1, 3, 30, tzinfo=UTC), NY) == date(2026, 10, 31)
    # a day later the offset is -5: 04:30 UTC on 2 Nov is 23:30 on 1 Nov
    assert local_date(datetime(2026, 11, 2, 4, 30, tzinfo=UTC), NY) == date(2026, 11, 1)


def test_day_has_ended_only_after_local_midnight() -> None:
    now = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # 22:00 on 3 Dec in New York
    assert not day_has_ended(date(2026, 12, 3), NY, now)
    assert day_has_ended(date(2026, 12, 3), UTC, now)


def test_iso_week_start() -> None:
    assert iso_week_start(date(2026, 12, 3)) == date(2026, 11, 30)  # Thursday → Monday
    assert iso_week_start(date(2026, 11, 30)) == date(2026, 11, 30)
    assert iso_week_start(date(2027, 1, 3)) == date(2026, 12, 28)  # Sunday, ISO week 53


def test_unknown_zone_is_utc() -> None:
    assert zone_or_utc("Mars/Olympus").key == "UTC"
    assert zone_or_utc(None).key == "UTC"
