"""Calendar arithmetic that more than one service needs (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo


def age_on(birth_date: date, day: date) -> int:
    """Whole years between ``birth_date`` and ``day`` (a 29 Feb birthday counts on 1 Mar)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def local_date(instant: datetime, zone: tzinfo) -> date:
    """The calendar day ``instant`` falls on in ``zone`` (a naive instant is taken as UTC):
    a workout at 23:30 in New York is that day there, the next day in UTC."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return aware.astimezone(zone).date()


def day_has_ended(day: date, zone: tzinfo, now: datetime) -> bool:
    """True once ``day`` is over in ``zone`` (so it can be judged; today is still in progress)."""
    return local_date(now, zone) > day


def iso_week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())
