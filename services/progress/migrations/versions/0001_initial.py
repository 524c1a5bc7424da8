"""Initial schema: weight log, read models (profiles, workouts, intake, targets), reports.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from fitness_platform.outbox import create_outbox_objects, drop_outbox_objects
from fitness_platform.projections.user_profiles import (
    create_user_profiles_objects,
    drop_user_profiles_objects,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    create_outbox_objects(op)
    create_user_profiles_objects(op)
    op.create_table(
        "weights",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("body_fat_pct", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("trend_kg", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_weights")),
    )
    op.create_table(
        "workouts",
        sa.Column("workout_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("kcal", sa.Float(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workout_id", name=op.f("pk_workouts")),
    )
    op.create_index("ix_workouts_user_date", "workouts", ["user_id", "local_date"])
    op.create_table(
        "intake_days",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kcal", sa.Float(), nullable=False),
        sa.Column("protein_g", sa.Float(), nullable=False),
        sa.Column("fat_g", sa.Float(), nullable=False),
        sa.Column("carbs_g", sa.Float(), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_intake_days")),
    )
    op.create_table(
        "nutrition_targets",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("daily_calories", sa.Float(), nullable=False),
        sa.Column("tdee", sa.Float(), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_nutrition_targets")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("chart_key", sa.String(length=300), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("user_id", "week_start", name=op.f("uq_reports_user_id_week_start")),
    )


def downgrade() -> None:
    op.drop_table("reports")
    op.drop_table("nutrition_targets")
    op.drop_table("intake_days")
    op.drop_index("ix_workouts_user_date", table_name="workouts")
    op.drop_table("workouts")
    op.drop_table("weights")
    drop_user_profiles_objects(op)
    drop_outbox_objects(op)
