"""Delta sync of : change_xid + triggers, and the tombstones of deleted rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 15:10:00
"""

from collections.abc import Sequence

from alembic import op

from fitness_platform.sync import (
    create_tombstones_table,
    drop_tombstones_table,
    track_changes,
    untrack_changes,
)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_tombstones_table(op)
    track_changes(op, "assets", entity="asset")


def downgrade() -> None:
    untrack_changes(op, "assets")
    drop_tombstones_table(op)
