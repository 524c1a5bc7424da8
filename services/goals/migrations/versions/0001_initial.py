"""Initial schema: goals, read models (profiles, weigh-ins, workouts, intake, targets), outbox.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitness_platform.outbox import create_outbox_objects, drop_outbox_objects
from fitness_platform.projections.user_profiles import (
    create_user_profiles_objects,
    drop_user_profiles_objects,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tz(name: str, nullable: bool = False, default: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.text("now()") if default else None,
    )


def upgrade() -> None:
    create_outbox_objects(op)
    create_user_profiles_objects(op)
    op.create_table(
        "goals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("tolerance_pct", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=8), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("progress_pct", sa.Float(), nullable=True),
        sa.Column("current_value", sa.Float(), nullable=True),
        _tz("evaluated_at", nullable=True),
        _tz("achieved_at", nullable=True),
        _tz("created_at", default=True),
        _tz("updated_at", default=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.CheckConstraint(
            "type IN ('weight_target', 'workouts_per_week', 'weekly_active_minutes', "
            "'calorie_adherence')",
            name=op.f("ck_goals_type"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'completed', 'abandoned')",
            name=op.f("ck_goals_status"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_goals_dates")
        ),
        sa.CheckConstraint(
            "achieved_at IS NULL OR status = 'completed'", name=op.f("ck_goals_achieved")
        ),
    )
    op.create_index("ix_goals_user_created", "goals", ["user_id", "created_at"])
    op.create_index(
        "uq_goals_one_active_weight_target",
        "goals",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("type = 'weight_target' AND status = 'active'"),
    )
    op.create_table(
        "weight_entries",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        _tz("recorded_at"),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_weight_entries")),
    )
    op.create_table(
        "workouts",
        sa.Column("workout_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        _tz("started_at"),
        _tz("event_at"),
        _tz("deleted_at", nullable=True),
        sa.PrimaryKeyConstraint("workout_id", name=op.f("pk_workouts")),
    )
    op.create_index("ix_workouts_user_day", "workouts", ["user_id", "local_date"])
    op.create_table(
        "intake_days",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kcal", sa.Float(), nullable=False),
        _tz("logged_at"),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_intake_days")),
    )
    op.create_table(
        "calorie_targets",
        sa.Column("calculation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("daily_calories", sa.Float(), nullable=False),
        _tz("calculated_at"),
        sa.PrimaryKeyConstraint("calculation_id", name=op.f("pk_calorie_targets")),
    )
    op.create_index("ix_calorie_targets_user_at", "calorie_targets", ["user_id", "calculated_at"])


def downgrade() -> None:
    for table in ("calorie_targets", "intake_days", "workouts", "weight_entries", "goals"):
        op.drop_table(table)
    drop_user_profiles_objects(op)
    drop_outbox_objects(op)
