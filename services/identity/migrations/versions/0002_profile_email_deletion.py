"""profile constraints, deleted_at, email outbox, verification and password-reset tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, *, nullable: bool = False, now: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.text("now()") if now else None,
    )


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    # Cascade: the hard-delete job removes a user row and everything hanging off it at once.
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def _token_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _ts("created_at", now=True),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        _user_fk(name),
        sa.UniqueConstraint("token_hash", name=f"uq_{name}_token_hash"),
    )
    op.create_index(f"ix_{name}_user_id", name, ["user_id"])


def upgrade() -> None:
    op.add_column("users", _ts("deleted_at", nullable=True))
    op.create_check_constraint("ck_users_gender", "users", "gender IN ('female', 'male')")
    op.create_check_constraint(
        "ck_users_activity_level",
        "users",
        "activity_level IN ('sedentary', 'light', 'moderate', 'active', 'very_active')",
    )
    op.create_check_constraint("ck_users_goal", "users", "goal IN ('lose', 'maintain', 'gain')")
    op.create_check_constraint(
        "ck_users_profile_visibility", "users", "profile_visibility IN ('public', 'private')"
    )
    # The hard-delete job scans only deactivated accounts.
    op.create_index(
        "ix_users_deleted_at",
        "users",
        ["deleted_at"],
        postgresql_where=sa.text("status = 'deleted'"),
    )

    _token_table("email_verification_tokens")
    _token_table("password_reset_tokens")

    op.create_table(
        "email_outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        _ts("created_at", now=True),
        _ts("sent_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("next_attempt_at", now=True),
        sa.PrimaryKeyConstraint("id", name="pk_email_outbox"),
        _user_fk("email_outbox"),
    )
    op.create_index("ix_email_outbox_user_id", "email_outbox", ["user_id"])
    op.create_index(
        "ix_email_outbox_pending",
        "email_outbox",
        ["next_attempt_at"],
        postgresql_where=sa.text("sent_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_email_outbox_pending", table_name="email_outbox")
    op.drop_index("ix_email_outbox_user_id", table_name="email_outbox")
    op.drop_table("email_outbox")
    for name in ("password_reset_tokens", "email_verification_tokens"):
        op.drop_index(f"ix_{name}_user_id", table_name=name)
        op.drop_table(name)
    op.drop_index("ix_users_deleted_at", table_name="users")
    for name in ("profile_visibility", "goal", "activity_level", "gender"):
        op.drop_constraint(f"ck_users_{name}", "users", type_="check")
    op.drop_column("users", "deleted_at")
