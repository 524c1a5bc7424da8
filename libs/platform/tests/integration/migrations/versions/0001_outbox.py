"""outbox, inbox and a sample table"""

import sqlalchemy as sa
from alembic import op

from fitness_platform.outbox import create_outbox_objects, drop_outbox_objects

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_outbox_objects(op)
    op.create_table(
        "erased_users",
        sa.Column("user_id", sa.Uuid, primary_key=True),
        sa.Column("times", sa.Integer, nullable=False, server_default="1"),
    )


def downgrade() -> None:
    op.drop_table("erased_users")
    drop_outbox_objects(op)
