"""Named periods of the summary: rolling windows that end on the user's today (inclusive), so
"week" always means the last seven days whatever the weekday."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

PeriodName = Literal["week", "month", "quarter", "year"]

DAYS: dict[str, int] = {"week": 7, "month": 30, "quarter": 91, "year": 365}


def window(name: PeriodName, today: date) -> tuple[date, date]:
    return today - timedelta(days=DAYS[name] - 1), today


def last_days(days: int, today: date) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today
