"""Seed the predefined workout templates (DESIGN seed §5.3): data an admin can edit later.

Exercises refer to catalogue rows by Compendium code (resolved to ids here). Sources of the
plans: NHS "Couch to 5K" week 1 (60 s jog / 90 s walk × 8); ACSM Position Stand on resistance
training (Med Sci Sports Exerc 2009;41:687: novices 1-3 sets of 8-12 reps, 2-3 days/week);
WHO 2020 physical activity guidelines (150-300 min/week moderate aerobic activity); Tabata-style
HIIT work/rest intervals (Tabata et al., Med Sci Sports Exerc 1996;28:1327).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:15:00
"""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Stable ids: uuid5 of the name in this namespace (a re-run seeds the same rows).
NAMESPACE = uuid.UUID("0b7f9a52-6a3c-4c1e-9d1a-7c1f3e2a9b10")

# (name, level, goal, minutes, description, [(code, {durationMin, sets, reps, distanceKm, notes})])
TEMPLATES: list[tuple[str, str, str, int, str, list[tuple[str, dict[str, Any]]]]] = [
    (
        "Beginner full-body strength",
        "beginner",
        "strength",
        45,
        "Two or three times a week: one set of each lift per round, 8-12 reps at an effort "
        "that leaves two reps in reserve (ACSM 2009 progression models for novices).",
        [
            ("17200", {"durationMin": 5, "notes": "warm-up walk"}),
            (
                "02054",
                {
                    "durationMin": 30,
                    "sets": 3,
                    "reps": 10,
                    "notes": "goblet squat, dumbbell bench press, one-arm row, "
                    "Romanian deadlift, overhead press",
                },
            ),
            ("02150", {"durationMin": 10, "notes": "cool-down stretches"}),
        ],
    ),
    (
        "5 k run build-up, week 1",
        "beginner",
        "endurance",
        30,
        "Couch to 5K week 1 (NHS): brisk 5-minute walk, then alternate 60 seconds of running "
        "and 90 seconds of walking for 20 minutes, three runs a week.",
        [
            ("17200", {"durationMin": 5, "notes": "warm-up walk"}),
            ("12020", {"durationMin": 8, "sets": 8, "notes": "60 s jog per interval"}),
            ("17190", {"durationMin": 12, "sets": 8, "notes": "90 s walk per interval"}),
            ("17190", {"durationMin": 5, "notes": "cool-down walk"}),
        ],
    ),
    (
        "5 k steady run",
        "intermediate",
        "endurance",
        35,
        "The goal of the build-up: 5 km at an easy conversational pace (about 6 mph), with a "
        "walking warm-up and cool-down.",
        [
            ("17200", {"durationMin": 5, "notes": "warm-up walk"}),
            ("12050", {"durationMin": 25, "distanceKm": 5, "notes": "easy pace"}),
            ("17190", {"durationMin": 5, "notes": "cool-down walk"}),
        ],
    ),
    (
        "HIIT circuit",
        "intermediate",
        "fat_loss",
        25,
        "20 s all-out / 10 s rest intervals (Tabata 1996), eight per round, four rounds with "
        "a minute between them: kettlebell swings, burpees, mountain climbers, jump squats.",
        [
            ("15551", {"durationMin": 5, "notes": "warm-up skipping, easy"}),
            ("02040", {"durationMin": 16, "sets": 4, "notes": "4 rounds of 8 × 20 s / 10 s"}),
            ("02150", {"durationMin": 4, "notes": "cool-down stretches"}),
        ],
    ),
    (
        "Mobility flow",
        "beginner",
        "mobility",
        20,
        "A gentle hatha sequence for hips, hamstrings, thoracic spine and shoulders; fine on "
        "rest days.",
        [("02150", {"durationMin": 20, "notes": "sun salutations, lunges, twists"})],
    ),
    (
        "Pilates core",
        "beginner",
        "mobility",
        30,
        "Mat Pilates: hundred, roll-up, single-leg stretch, swimming, side-kick series.",
        [("02105", {"durationMin": 30, "sets": 2, "reps": 10})],
    ),
    (
        "Lower-body strength",
        "intermediate",
        "strength",
        50,
        "Heavy day of an upper/lower split: back squats 4 × 6, then Romanian deadlifts, "
        "walking lunges and calf raises 3 × 8-10.",
        [
            ("17200", {"durationMin": 5, "notes": "warm-up walk"}),
            ("02052", {"durationMin": 20, "sets": 4, "reps": 6, "notes": "back squat"}),
            (
                "02050",
                {"durationMin": 25, "sets": 3, "reps": 10, "notes": "RDL, lunges, calf raises"},
            ),
        ],
    ),
    (
        "Bodybuilding push day",
        "advanced",
        "hypertrophy",
        60,
        "Chest, shoulders and triceps, 4 sets of 8-12 close to failure (hypertrophy range), "
        "ten minutes of easy elliptical to finish.",
        [
            (
                "02050",
                {
                    "durationMin": 50,
                    "sets": 16,
                    "reps": 10,
                    "notes": "bench press, incline dumbbell press, overhead press, dips",
                },
            ),
            ("02048", {"durationMin": 10, "notes": "easy cool-down"}),
        ],
    ),
    (
        "Rowing intervals",
        "intermediate",
        "endurance",
        30,
        "Five 3-minute hard pieces at about 150 W with 1-minute easy rowing between them.",
        [
            ("02071", {"durationMin": 10, "notes": "warm-up, easy"}),
            ("02073", {"durationMin": 15, "sets": 5, "notes": "3 min hard"}),
            ("02071", {"durationMin": 5, "notes": "cool-down"}),
        ],
    ),
    (
        "Swim endurance",
        "intermediate",
        "endurance",
        40,
        "Continuous freestyle at a moderate pace between an easy warm-up and cool-down.",
        [
            ("18310", {"durationMin": 10, "notes": "warm-up, any stroke"}),
            ("18240", {"durationMin": 25, "distanceKm": 1, "notes": "steady freestyle"}),
            ("18310", {"durationMin": 5, "notes": "cool-down"}),
        ],
    ),
    (
        "Brisk walk for health",
        "beginner",
        "general",
        30,
        "Five of these a week is the WHO 2020 minimum of 150 minutes of moderate activity.",
        [("17200", {"durationMin": 30, "distanceKm": 2.8})],
    ),
    (
        "Steady cycling",
        "beginner",
        "endurance",
        45,
        "An easy-to-moderate ride at 12-14 mph on flat roads or an equivalent indoor effort.",
        [
            ("01010", {"durationMin": 5, "notes": "easy spin"}),
            ("01030", {"durationMin": 35, "distanceKm": 12}),
            ("01010", {"durationMin": 5, "notes": "easy spin"}),
        ],
    ),
]

templates = sa.table(
    "workout_templates",
    sa.column("id", sa.Uuid),
    sa.column("name", sa.String),
    sa.column("level", sa.String),
    sa.column("goal", sa.String),
    sa.column("description", sa.Text),
    sa.column("duration_min", sa.Integer),
    sa.column("exercises", postgresql.JSONB),
)


def upgrade() -> None:
    conn = op.get_bind()
    ids = {code: i for i, code in conn.execute(sa.text("SELECT id, met_code FROM exercises"))}
    rows = []
    for name, level, goal, minutes, description, items in TEMPLATES:
        exercises = [{"exerciseId": ids[code], **fields} for code, fields in items]
        rows.append(
            {
                "id": uuid.uuid5(NAMESPACE, name),
                "name": name,
                "level": level,
                "goal": goal,
                "description": description,
                "duration_min": minutes,
                "exercises": exercises,
            }
        )
    op.bulk_insert(templates, rows)


def downgrade() -> None:
    op.execute(
        templates.delete().where(
            templates.c.id.in_([uuid.uuid5(NAMESPACE, t[0]) for t in TEMPLATES])
        )
    )
