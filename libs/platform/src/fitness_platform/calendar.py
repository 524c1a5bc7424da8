"""Calendar arithmetic that more than one service needs (pure, no I/O)."""

from __future__ import annotations

from datetime import date


def age_on(birth_date: date, day: date) -> int:
    """Whole years between ``birth_date`` and ``day`` (a 29 Feb birthday counts on 1 Mar)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)
