"""user_activity (active days), admin_audit (append-only, enforced by triggers)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Append-only choice: triggers, not REVOKE. The service role owns its schema (it runs these
migrations), and an owner can always grant itself back what was revoked; a BEFORE UPDATE/DELETE
row trigger and a BEFORE TRUNCATE statement trigger refuse the change for every role, the owner
included. Dropping the trigger needs a migration, which is reviewed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REJECT_FN = """
CREATE FUNCTION admin_audit_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'admin_audit is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "user_activity",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "day", name="pk_user_activity"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_user_activity_user_id_users",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_user_activity_day", "user_activity", ["day"])

    op.create_table(
        "admin_audit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(),
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_admin_audit"),
    )
    op.create_index("ix_admin_audit_at", "admin_audit", ["at"])
    op.create_index("ix_admin_audit_actor_id_at", "admin_audit", ["actor_id", "at"])
    op.create_index("ix_admin_audit_target_at", "admin_audit", ["target", "at"])
    op.execute(_REJECT_FN)
    op.execute(
        "CREATE TRIGGER admin_audit_append_only BEFORE UPDATE OR DELETE ON admin_audit "
        "FOR EACH ROW EXECUTE FUNCTION admin_audit_reject_change()"
    )
    op.execute(
        "CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_reject_change()"
    )


def downgrade() -> None:
    op.drop_table("admin_audit")  # its triggers go with it
    op.execute("DROP FUNCTION admin_audit_reject_change()")
    op.drop_index("ix_user_activity_day", table_name="user_activity")
    op.drop_table("user_activity")
