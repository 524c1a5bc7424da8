"""Input types of training's request models, built on the platform's shared ones."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from fitness_platform.validation import CLEAN_MULTILINE as _CLEAN
from fitness_platform.validation import IsoDate, SearchText
from fitness_platform.validation import text_constraints as _text

__all__ = ["IsoDate", "SearchText"]

Title = Annotated[str, _text(120), _CLEAN]
Notes = Annotated[str, _text(2000, min_length=0), _CLEAN]
ShortNotes = Annotated[str, _text(500, min_length=0), _CLEAN]

# Catalogue ids are small positive integers (seeded by migration).
ExerciseId = Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
Minutes = Annotated[int, Field(ge=1, le=1440, strict=True)]
Sets = Annotated[int, Field(ge=1, le=100, strict=True)]
Reps = Annotated[int, Field(ge=1, le=1000, strict=True)]
LoadKg = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False, strict=True)]
DistanceKm = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False, strict=True)]
Kcal = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False, strict=True)]
