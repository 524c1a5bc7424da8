"""The seed migrations' data obeys the rules the API enforces on the same data: the catalogue
is the DOMAIN.md Compendium table with unique ids/codes/names, and every seeded template would
pass the admin route's validation (durations fit, known exercises)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from training.templates.schemas import WorkoutTemplateIn

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"training_migration_{name}", VERSIONS / name)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CATALOGUE = _load("0002_compendium_2011.py")
TEMPLATES = _load("0003_workout_templates.py")


def test_catalogue_rows_are_unique_and_2011() -> None:
    rows = CATALOGUE.ROWS
    assert len(rows) == 44
    assert len({r[0] for r in rows}) == len(rows)  # ids
    assert len({r[1] for r in rows}) == len(rows)  # names
    assert len({r[3] for r in rows}) == len(rows)  # Compendium codes
    assert CATALOGUE.EDITION == "2011"
    assert {r[2] for r in rows} == {"cardio", "strength", "hiit", "flexibility", "water", "sport"}
    # Two Compendium examples pinned: running 6 mph and the soccer pair.
    by_code = {r[3]: r for r in rows}
    assert by_code["12050"][4] == 9.8
    assert (by_code["15605"][4], by_code["15610"][4]) == (10.0, 7.0)


@pytest.mark.parametrize("template", TEMPLATES.TEMPLATES, ids=[t[0] for t in TEMPLATES.TEMPLATES])
def test_seeded_templates_pass_the_admin_validation(template) -> None:
    ids = {code: i for i, _, _, code, _ in CATALOGUE.ROWS}
    name, level, goal, minutes, description, items = template
    body = WorkoutTemplateIn.model_validate(
        {
            "name": name,
            "level": level,
            "goal": goal,
            "description": description,
            "durationMin": minutes,
            "exercises": [{"exerciseId": ids[code], **fields} for code, fields in items],
        }
    )
    assert body.duration_min == sum(e.duration_min or 0 for e in body.exercises)


def test_at_least_eight_templates_over_levels_and_goals() -> None:
    seeded = TEMPLATES.TEMPLATES
    assert len(seeded) >= 8
    assert {t[1] for t in seeded} == {"beginner", "intermediate", "advanced"}
    assert {"strength", "endurance", "fat_loss", "mobility"} <= {t[2] for t in seeded}
