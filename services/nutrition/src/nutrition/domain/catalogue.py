"""The SR28 food catalogue: parse the bundled CSV into `Food` records with derived tags.

Pure parsing: give it CSV text or a path; the service layer bulk-loads the result into Postgres.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nutrition.domain.food_groups import Role, Slot, classify
from nutrition.domain.food_tags import derive_tags

FOODS_CSV = "foods.csv"
PORTIONS_CSV = "portions.csv"


@dataclass(frozen=True, slots=True)
class Food:
    """One SR28 food, nutrients per 100 g edible portion. None = SR28 has no value (≠ zero)."""

    ndb_no: str
    description: str
    food_group: str
    kcal: float
    protein_g: float
    fat_g: float
    sat_fat_g: float | None
    carbs_g: float
    sugars_g: float | None
    fiber_g: float | None
    sodium_mg: float | None
    tags: frozenset[str]
    allergens: frozenset[str]
    composite: bool  # ingredients not evident from the description (see food_tags)
    role: Role | None  # meal role; None = never suggested by the planner
    slots: frozenset[Slot]

    @property
    def suggestible(self) -> bool:
        return self.role is not None and bool(self.slots)

    @property
    def complete(self) -> bool:
        """All nutrients the plan validation judges are known."""
        return None not in (self.sat_fat_g, self.sugars_g, self.fiber_g, self.sodium_mg)


@dataclass(frozen=True, slots=True)
class Portion:
    ndb_no: str
    amount: float
    unit: str
    grams: float


def _optional(value: str) -> float | None:
    value = value.strip()
    return None if value == "" else float(value)


def _required(value: str, column: str, ndb_no: str) -> float:
    parsed = _optional(value)
    if parsed is None:
        raise ValueError(f"food {ndb_no}: {column} is empty")
    return parsed


def _rows(csv_text_or_path: str | Path) -> Iterable[dict[str, str]]:
    if isinstance(csv_text_or_path, Path) or "\n" not in csv_text_or_path:
        text = Path(csv_text_or_path).read_text(encoding="utf-8")
    else:
        text = csv_text_or_path
    return csv.DictReader(io.StringIO(text))


def parse_food(row: dict[str, str]) -> Food:
    ndb_no = row["ndb_no"].strip()
    description = row["description"].strip()
    group = row["food_group"].strip()
    derived = derive_tags(description, group)
    suitability = classify(description, group)
    return Food(
        ndb_no=ndb_no,
        description=description,
        food_group=group,
        kcal=_required(row["kcal"], "kcal", ndb_no),
        protein_g=_required(row["protein_g"], "protein_g", ndb_no),
        fat_g=_required(row["fat_g"], "fat_g", ndb_no),
        sat_fat_g=_optional(row["sat_fat_g"]),
        carbs_g=_required(row["carbs_g"], "carbs_g", ndb_no),
        sugars_g=_optional(row["sugars_g"]),
        fiber_g=_optional(row["fiber_g"]),
        sodium_mg=_optional(row["sodium_mg"]),
        tags=derived.tags,
        allergens=derived.allergens,
        composite=derived.composite,
        role=suitability.role,
        slots=suitability.slots,
    )


def load_foods(csv_text_or_path: str | Path) -> list[Food]:
    """Parse foods.csv (text containing newlines, or a path)."""
    return [parse_food(row) for row in _rows(csv_text_or_path)]


def load_portions(csv_text_or_path: str | Path) -> list[Portion]:
    return [
        Portion(
            ndb_no=row["ndb_no"].strip(),
            amount=float(row["amount"]),
            unit=row["unit"].strip(),
            grams=float(row["grams"]),
        )
        for row in _rows(csv_text_or_path)
    ]


def bundled_csv_path(name: str = FOODS_CSV) -> Path:
    """Path of a CSV shipped inside the package (nutrition/data/)."""
    return Path(str(resources.files("nutrition.data").joinpath(name)))


def load_bundled_foods() -> list[Food]:
    return load_foods(bundled_csv_path(FOODS_CSV))
