"""Input types shared by the request models: text Postgres can store, ISO dates only."""

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


def _iso_date(value: Any) -> Any:
    # Without this pydantic would read a number as a Unix timestamp (`to=0` → 1970-01-01).
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


_CLEAN = AfterValidator(clean_text)


def _text(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Text80 = Annotated[str, _text(80), _CLEAN]
Text100 = Annotated[str, _text(100), _CLEAN]
Text120 = Annotated[str, _text(120), _CLEAN]
Text200 = Annotated[str, _text(200), _CLEAN]
SearchText = Annotated[str, _text(100, min_length=0), _CLEAN]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
