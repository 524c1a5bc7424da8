"""Initial schema: assets, outbox, inbox.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fitness_platform.outbox import create_outbox_objects, drop_outbox_objects

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_outbox_objects(op)
    op.create_table(
        "assets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("object_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'ready')", name=op.f("ck_assets_status")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_assets_size_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("object_key", name=op.f("uq_assets_object_key")),
    )
    op.create_index("ix_assets_user_created", "assets", ["user_id", "created_at"])
    op.create_index(
        "ix_assets_pending_created",
        "assets",
        ["created_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_assets_pending_created", table_name="assets")
    op.drop_index("ix_assets_user_created", table_name="assets")
    op.drop_table("assets")
    drop_outbox_objects(op)
