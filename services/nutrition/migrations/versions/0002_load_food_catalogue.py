"""Data: load the bundled USDA SR28 food catalogue (COPY, about a second).

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from nutrition.foods.load import load_catalogue_sync

    load_catalogue_sync(op.get_bind().connection.driver_connection)


def downgrade() -> None:
    op.execute("DELETE FROM foods WHERE source = 'sr28'")
