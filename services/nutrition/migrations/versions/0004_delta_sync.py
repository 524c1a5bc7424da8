"""Delta sync of diary entries and saved calculations: change_xid + triggers, tombstones.

Revision ID: 0004
Revises: 0003
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

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_tombstones_table(op)
    track_changes(op, "diary_entries", entity="diary_entry")
    track_changes(op, "calculations", entity="calculation")


def downgrade() -> None:
    untrack_changes(op, "calculations")
    untrack_changes(op, "diary_entries")
    drop_tombstones_table(op)
