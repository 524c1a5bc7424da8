"""Input types every service's request models share: text PostgreSQL can store, ISO dates only.

A request field typed with these gets a 422 (with its path) for what would otherwise be a 500 at
the database (NUL, lone surrogates) or a silent misreading (``to=0`` read as 1970-01-01).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def clean_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL, UTF-8 cannot hold lone surrogates, and control
    # characters in names only hide content: reject them rather than fail at the database.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValueError("must not contain control characters or invalid unicode")
    return value


def clean_multiline_text(value: str) -> str:
    """Like :func:`clean_text`, but newlines and tabs are allowed (notes, descriptions)."""
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" for ch in value):
        raise ValueError("must not contain control characters or invalid unicode")
    return value


def iso_date(value: Any) -> Any:
    # Without this pydantic would read a number as a Unix timestamp (`to=0` → 1970-01-01).
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


def text_constraints(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


CLEAN = AfterValidator(clean_text)
CLEAN_MULTILINE = AfterValidator(clean_multiline_text)


def date_between(first: date, last: date) -> AfterValidator:
    """A validator keeping a date inside ``[first, last]`` (a date outside is a typo)."""

    def check(value: date) -> date:
        if not first <= value <= last:
            raise ValueError(f"must be between {first} and {last}")
        return value

    return AfterValidator(check)


Text80 = Annotated[str, text_constraints(80), CLEAN]
Text100 = Annotated[str, text_constraints(100), CLEAN]
Text120 = Annotated[str, text_constraints(120), CLEAN]
Text200 = Annotated[str, text_constraints(200), CLEAN]
SearchText = Annotated[str, text_constraints(100, min_length=0), CLEAN]
IsoDate = Annotated[date, BeforeValidator(iso_date)]
