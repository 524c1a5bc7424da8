"""Initial schema: outbox/inbox, read models (profiles, weights), catalogue, workouts,
templates, admin audit.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from fitness_platform.audit import create_admin_audit_objects, drop_admin_audit_objects
from fitness_platform.outbox import create_outbox_objects, drop_outbox_objects
from fitness_platform.projections.user_profiles import (
    create_user_profiles_objects,
    drop_user_profiles_objects,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_outbox_objects(op)
    create_user_profiles_objects(op)
    create_admin_audit_objects(op)
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("met_code", sa.String(length=8), nullable=False),
        sa.Column("met", sa.Float(), nullable=False),
        sa.Column("edition", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
        sa.UniqueConstraint("name", name=op.f("uq_exercises_name")),
    )
    op.create_index(op.f("ix_exercises_category"), "exercises", ["category"], unique=False)
    op.create_table(
        "weights",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("user_id", "date", name=op.f("pk_weights")),
    )
    op.create_table(
        "workouts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("exercises", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("calories_burned", sa.Float(), nullable=True),
        sa.Column("calories_source", sa.String(length=16), nullable=True),
        sa.Column("calorie_estimate", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workouts")),
    )
    op.create_index(
        "ix_workouts_user_started", "workouts", ["user_id", "started_at", "id"], unique=False
    )
    op.create_index(
        "ix_workouts_user_local_date", "workouts", ["user_id", "local_date"], unique=False
    )
    op.create_table(
        "workout_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("goal", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("exercises", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workout_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_workout_templates_name")),
    )


def downgrade() -> None:
    op.drop_table("workout_templates")
    op.drop_index("ix_workouts_user_local_date", table_name="workouts")
    op.drop_index("ix_workouts_user_started", table_name="workouts")
    op.drop_table("workouts")
    op.drop_table("weights")
    op.drop_index(op.f("ix_exercises_category"), table_name="exercises")
    op.drop_table("exercises")
    drop_admin_audit_objects(op)
    drop_user_profiles_objects(op)
    drop_outbox_objects(op)
