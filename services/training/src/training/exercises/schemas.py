"""Wire models of the exercise catalogue."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fitness_platform.schemas import CamelModel

Category = Literal["cardio", "strength", "hiit", "flexibility", "water", "sport"]


class ExerciseOut(CamelModel):
    id: int
    name: str
    category: Category
    met_code: str = Field(description="Compendium of Physical Activities activity code")
    met: float = Field(description="metabolic equivalent (1 MET = 1 kcal/kg/h)")
    edition: str = Field(description="Compendium edition of code and MET (Ainsworth 2011)")
