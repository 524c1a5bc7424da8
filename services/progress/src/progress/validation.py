"""Input types of progress' request models, built on the platform's shared ones."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

from fitness_platform.validation import CLEAN_MULTILINE, date_between, iso_date, text_constraints

# Weigh-ins start in 1900 (issue 10); nothing this service stores lies past 2100.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)

IsoDate = Annotated[date, BeforeValidator(iso_date), date_between(MIN_DATE, MAX_DATE)]
Note = Annotated[str, text_constraints(500, min_length=0), CLEAN_MULTILINE]
