"""Pure profile rules: age from a birth date, accepted bounds, timezone names, changed fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from fitness_platform.calendar import age_on

# DESIGN §3 bounds. 13 is the usual minimum age for an online account without parental consent
# (COPPA in the US; GDPR Art. 8 lets member states go down to 13).
MIN_AGE = 13
MAX_AGE = 120
MIN_HEIGHT_CM = 100.0
MAX_HEIGHT_CM = 250.0
MIN_WEIGHT_KG = 25.0
MAX_WEIGHT_KG = 400.0
# More than ~1 kg/week of loss is above common clinical guidance (NIH: 0.5–1 kg/week);
# 1.5 is the hard ceiling the product accepts.
MAX_TARGET_RATE_KG_PER_WEEK = 1.5

PROFILE_VISIBILITIES = ("public", "private")


def age_problem(birth_date: date, today: date) -> str | None:
    """Why this birth date is refused, or None."""
    age = age_on(birth_date, today)
    if age < MIN_AGE:
        return f"You must be at least {MIN_AGE} years old."
    if age > MAX_AGE:
        return f"Age must be at most {MAX_AGE} years."
    return None


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    """An IANA zone name known to zoneinfo (tzdata), e.g. ``Europe/Berlin`` or ``UTC``."""
    return name in _zones()


def changed_fields(current: Mapping[str, Any], proposed: Mapping[str, Any]) -> list[str]:
    """Names in ``proposed`` whose value differs from ``current`` (sorted, stable for events)."""
    return sorted(name for name, value in proposed.items() if current.get(name) != value)
