"""Input types shared by the request models: text PostgreSQL can store, bounded numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _clean_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL and UTF-8 cannot hold lone surrogates: a 422 here
    # instead of a 500 at the database. Other control characters in a title only hide content.
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" for ch in value):
        raise ValueError("must not contain control characters or invalid unicode")
    return value


def _iso_date(value: Any) -> Any:
    # Without this pydantic would read a number as a Unix timestamp (`from=0` → 1970-01-01).
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


def _text(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


_CLEAN = AfterValidator(_clean_text)

Title = Annotated[str, _text(120), _CLEAN]
Notes = Annotated[str, _text(2000, min_length=0), _CLEAN]
ShortNotes = Annotated[str, _text(500, min_length=0), _CLEAN]
SearchText = Annotated[str, _text(100, min_length=0), _CLEAN]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# Catalogue ids are small positive integers (seeded by migration).
ExerciseId = Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
Minutes = Annotated[int, Field(ge=1, le=1440, strict=True)]
Sets = Annotated[int, Field(ge=1, le=100, strict=True)]
Reps = Annotated[int, Field(ge=1, le=1000, strict=True)]
LoadKg = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False, strict=True)]
DistanceKm = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False, strict=True)]
Kcal = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False, strict=True)]
