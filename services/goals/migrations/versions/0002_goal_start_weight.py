"""goals.start_weight_kg: the weight a weight target started from, fixed when it was set.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 09:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("goals", sa.Column("start_weight_kg", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("goals", "start_weight_kg")
