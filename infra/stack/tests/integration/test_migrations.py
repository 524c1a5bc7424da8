"""`migrate` runs each service's Alembic project as that service's role, in its schema."""

from pathlib import Path

import psycopg
import pytest

from fitness_stack import Stack, StackError

ENV_PY = """
from alembic import context
from sqlalchemy import create_engine, text

x = context.get_x_argument(as_dictionary=True)
engine = create_engine(x["url"])
with engine.connect() as conn:
    conn.execute(text(f'SET search_path TO "{x["schema"]}"'))
    context.configure(connection=conn, version_table_schema=x["schema"])
    with context.begin_transaction():
        context.run_migrations()
    conn.commit()
"""

VERSION = """
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("widgets", sa.Column("id", sa.Integer, primary_key=True))
"""

BROKEN_VERSION = """
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.execute("CREATE TABLE identity.not_mine (id int)")
"""


def fake_repo(root: Path, services: dict[str, str]) -> Path:
    for service, version in services.items():
        base = root / "services" / service
        (base / "migrations" / "versions").mkdir(parents=True)
        (base / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
        (base / "migrations" / "env.py").write_text(ENV_PY)
        (base / "migrations" / "versions" / "0001_first.py").write_text(version)
    return root


def stack_with_root(own_stack: Stack, root: Path) -> Stack:
    stack = Stack.from_state(own_stack.state.root, environ={})
    stack.root = root
    return stack


def test_migrate_creates_tables_owned_by_the_service_role(own_stack: Stack, tmp_path: Path) -> None:
    stack = stack_with_root(own_stack, fake_repo(tmp_path, {"goals": VERSION, "media": VERSION}))
    assert stack.migrate() == ["goals", "media"]
    assert stack.migrate() == ["goals", "media"]  # idempotent: already at head
    with psycopg.connect(own_stack.endpoints.pg_admin_url) as conn:
        rows = conn.execute(
            "SELECT schemaname, tableowner FROM pg_tables WHERE tablename = 'widgets' ORDER BY 1"
        ).fetchall()
        versions = conn.execute("SELECT version_num FROM goals.alembic_version").fetchall()
    assert rows == [("goals", "goals_svc"), ("media", "media_svc")]
    assert versions == [("0001",)]


def test_failed_migration_names_the_service(own_stack: Stack, tmp_path: Path) -> None:
    stack = stack_with_root(own_stack, fake_repo(tmp_path, {"progress": BROKEN_VERSION}))
    with pytest.raises(StackError) as info:
        stack.migrate()
    assert info.value.name == "migrate-progress"
    assert info.value.log is not None
    assert "permission denied for schema identity" in info.value.log.read_text()


SECOND_VERSION = """
import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade():
    op.create_table("gadgets", sa.Column("id", sa.Integer, primary_key=True))
"""


def test_migrate_skips_a_service_at_head_and_runs_a_new_revision(
    own_stack: Stack, tmp_path: Path
) -> None:
    root = fake_repo(tmp_path, {"training": VERSION})
    stack = stack_with_root(own_stack, root)
    log = own_stack.state.log("migrate-training")
    stack.migrate()
    assert "skipped" not in log.read_text()  # a new schema: Alembic ran
    stack.migrate()
    assert log.read_text() == "at head: skipped\n"
    versions = root / "services" / "training" / "migrations" / "versions"
    (versions / "0002_second.py").write_text(SECOND_VERSION)  # e.g. a colleague's new table
    stack.migrate()
    assert "skipped" not in log.read_text()
    with psycopg.connect(own_stack.endpoints.pg_admin_url) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'training' ORDER BY 1"
        ).fetchall()
        version = conn.execute("SELECT version_num FROM training.alembic_version").fetchall()
    assert ("gadgets",) in tables
    assert version == [("0002",)]
