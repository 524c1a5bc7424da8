"""Seed the exercise catalogue: the DOMAIN.md table of the 2011 Compendium of Physical Activities.

Ainsworth BE et al. 2011 Compendium of Physical Activities: a second update of codes and MET
values. Med Sci Sports Exerc 2011;43(8):1575-81. Codes and METs exactly as published; rows that
carry two codes there (soccer, tennis) are two exercises. Ids are stable: clients and templates
refer to them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EDITION = "2011"

# (id, name, category, Compendium code, MET)
ROWS: list[tuple[int, str, str, str, float]] = [
    (1, "Walking, 2.5 mph", "cardio", "17170", 3.0),
    (2, "Walking, 2.8-3.2 mph", "cardio", "17190", 3.5),
    (3, "Walking, brisk, 3.5 mph", "cardio", "17200", 4.3),
    (4, "Walking, 4.0 mph", "cardio", "17220", 5.0),
    (5, "Walking, 4.5 mph", "cardio", "17230", 7.0),
    (6, "Hiking, cross-country", "cardio", "17080", 6.0),
    (7, "Jogging, general", "cardio", "12020", 7.0),
    (8, "Running, 5 mph", "cardio", "12030", 8.3),
    (9, "Running, 6 mph", "cardio", "12050", 9.8),
    (10, "Running, 7 mph", "cardio", "12070", 11.0),
    (11, "Running, 7.5 mph", "cardio", "12080", 11.8),
    (12, "Running, 8 mph", "cardio", "12090", 11.8),
    (13, "Running, 9 mph", "cardio", "12110", 12.8),
    (14, "Running, 10 mph", "cardio", "12120", 14.5),
    (15, "Rope jumping, 100-120 skips/min", "cardio", "15551", 11.8),
    (16, "Hatha yoga", "flexibility", "02150", 2.5),
    (17, "Swimming, freestyle, slow to moderate", "water", "18240", 5.8),
    (18, "Swimming, leisurely", "water", "18310", 6.0),
    (19, "Basketball, general", "sport", "15055", 6.5),
    (20, "Aerobics, general", "cardio", "03015", 7.3),
    (21, "Martial arts, moderate pace", "sport", "15430", 10.3),
    (22, "Cycling, <10 mph, leisure", "cardio", "01010", 4.0),
    (23, "Cycling, 10-11.9 mph", "cardio", "01020", 6.8),
    (24, "Cycling, 12-13.9 mph", "cardio", "01030", 8.0),
    (25, "Cycling, 14-15.9 mph", "cardio", "01040", 10.0),
    (26, "Stationary bike, general", "cardio", "02010", 7.0),
    (27, "Rowing machine, moderate", "cardio", "02071", 4.8),
    (28, "Rowing machine, 150 W", "cardio", "02073", 8.5),
    (29, "Weight lifting, 8-15 reps, multiple exercises", "strength", "02054", 3.5),
    (30, "Weight lifting, squats", "strength", "02052", 5.0),
    (31, "Weight lifting, vigorous / bodybuilding", "strength", "02050", 6.0),
    (32, "Circuit training / kettlebells, vigorous (HIIT)", "hiit", "02040", 8.0),
    (33, "Calisthenics, vigorous", "strength", "02020", 8.0),
    (34, "Elliptical trainer, moderate", "cardio", "02048", 5.0),
    (35, "Stair-treadmill ergometer", "cardio", "02065", 9.0),
    (36, "Stair climbing, fast pace", "cardio", "17134", 8.8),
    (37, "Pilates", "flexibility", "02105", 3.0),
    (38, "Swimming, freestyle, fast", "water", "18230", 9.8),
    (39, "Soccer, competitive", "sport", "15605", 10.0),
    (40, "Soccer, casual", "sport", "15610", 7.0),
    (41, "Tennis, general", "sport", "15675", 7.3),
    (42, "Tennis, doubles", "sport", "15685", 4.5),
    (43, "Dancing, general", "cardio", "03031", 7.8),
    (44, "Football, touch or flag", "sport", "15230", 8.0),
]

exercises = sa.table(
    "exercises",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("category", sa.String),
    sa.column("met_code", sa.String),
    sa.column("met", sa.Float),
    sa.column("edition", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(
        exercises,
        [
            {"id": i, "name": n, "category": c, "met_code": code, "met": met, "edition": EDITION}
            for i, n, c, code, met in ROWS
        ],
    )


def downgrade() -> None:
    op.execute(exercises.delete().where(exercises.c.id.in_([r[0] for r in ROWS])))
