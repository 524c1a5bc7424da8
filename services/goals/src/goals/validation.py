"""Input types the request models share: ISO dates in a sane range, storable text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Goals are about the present: a date outside this range is a typo, not a plan.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


def _iso_date(value: Any) -> Any:
    # Without this pydantic would read a number as a Unix timestamp.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


def _in_range(value: date) -> date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"must be between {MIN_DATE} and {MAX_DATE}")
    return value


def _clean_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; control characters in a title only hide content.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValueError("must not contain control characters or invalid unicode")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_range)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_clean_text),
]
