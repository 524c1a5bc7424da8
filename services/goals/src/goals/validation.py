"""Input types of goals' request models, built on the platform's shared ones."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

from fitness_platform.validation import CLEAN, date_between, iso_date, text_constraints

# Goals are about the present: a date outside this range is a typo, not a plan.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)

IsoDate = Annotated[date, BeforeValidator(iso_date), date_between(MIN_DATE, MAX_DATE)]
Title = Annotated[str, text_constraints(100), CLEAN]
