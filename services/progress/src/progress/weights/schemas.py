"""Wire models of the weight log."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime

from pydantic import Field

from fitness_platform.schemas import CamelInput, CamelModel
from progress.validation import IsoDate, Note


class WeightIn(CamelInput):
    day: IsoDate = Field(alias="date", description="the user's local day, YYYY-MM-DD")
    weight_kg: float = Field(ge=25, le=400, allow_inf_nan=False, strict=True)
    body_fat_pct: float | None = Field(default=None, ge=3, le=70, allow_inf_nan=False, strict=True)
    note: Note | None = None


class WeightOut(CamelModel):
    day: Date = Field(alias="date")
    weight_kg: float
    body_fat_pct: float | None = None
    note: str | None = None
    trend_weight_kg: float = Field(description="Hacker's Diet trend (exponential smoothing, 0.1)")
    updated_at: datetime
