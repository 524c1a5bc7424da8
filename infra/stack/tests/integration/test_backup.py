"""Backups of the session's PostgreSQL: a schema with data is dumped, the data is changed, the
dump is restored into a fresh database and every table's rows must equal the rows at backup time
(and differ from the changed live data, so the comparison cannot pass by reading the wrong side).
Then the CLI (`make backup` / `make restore` run it) against the same server, with retention."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from fitness_platform.testing import FreshSchema
from fitness_stack import backup
from fitness_stack.postgres import with_database

pytestmark = pytest.mark.timeout(180)

DDL = """
CREATE TABLE {s}.users (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    roles text[] NOT NULL DEFAULT '{{}}',
    created_at timestamptz NOT NULL
);
CREATE TABLE {s}.workouts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES {s}.users (id) ON DELETE CASCADE,
    kind text NOT NULL,
    calories numeric(8, 2) NOT NULL,
    details jsonb NOT NULL,
    photo bytea
);
CREATE INDEX ON {s}.workouts (user_id);
CREATE TABLE {s}.empty_table (id int PRIMARY KEY);
"""


def _seed(conn: psycopg.Connection[Any], schema: str) -> None:
    s = sql.Identifier(schema)
    conn.execute(sql.SQL(DDL).format(s=s))
    for n in range(25):
        uid = conn.execute(
            sql.SQL(
                "INSERT INTO {}.users (id, email, roles, created_at) "
                "VALUES (gen_random_uuid(), %s, %s, %s) RETURNING id"
            ).format(s),
            (f"u{n}@example.com", ["user"] if n % 3 else ["user", "admin"], datetime.now(UTC)),
        ).fetchone()
        assert uid is not None
        for k in range(4):
            conn.execute(
                sql.SQL(
                    "INSERT INTO {}.workouts (user_id, kind, calories, details, photo) "
                    "VALUES (%s, %s, %s, %s, %s)"
                ).format(s),
                (
                    uid[0],
                    "run" if k % 2 else "swim",
                    f"{100 + n * 7.25 + k:.2f}",
                    psycopg.types.json.Jsonb({"n": n, "k": k, "tags": ["a", "ü"]}),
                    secrets.token_bytes(16) if k == 0 else None,
                ),
            )


def _tables(conn: psycopg.Connection[Any], schema: str) -> list[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY 1",
        (schema,),
    ).fetchall()
    return [r[0] for r in rows]


def snapshot(url: str, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every base table of `schema` → its rows, in a stable order."""
    with psycopg.connect(url) as conn:
        return {
            table: sorted(
                conn.execute(
                    sql.SQL("SELECT * FROM {}.{}").format(
                        sql.Identifier(schema), sql.Identifier(table)
                    )
                ).fetchall(),
                key=repr,
            )
            for table in _tables(conn, schema)
        }


@pytest.fixture
async def schema_with_data(
    pg_admin_url: str, fresh_schema: Callable[..., Awaitable[FreshSchema]]
) -> FreshSchema:
    fresh = await fresh_schema(prefix="bk")

    def seed() -> None:
        with psycopg.connect(fresh.libpq_url) as conn:
            _seed(conn, fresh.schema)

    await asyncio.to_thread(seed)
    return fresh


@pytest.fixture
async def scratch_databases(pg_admin_url: str) -> AsyncIterator[list[str]]:
    """Names of databases a test restores into; dropped before the schema's role is."""
    names: list[str] = []
    yield names
    for name in names:
        await asyncio.to_thread(backup.drop_database, pg_admin_url, name)


async def test_restore_into_a_fresh_database_gives_back_every_row(
    pg_admin_url: str,
    schema_with_data: FreshSchema,
    scratch_databases: list[str],
    tmp_path: Path,
) -> None:
    schema = schema_with_data.schema
    before = snapshot(pg_admin_url, schema)
    assert set(before) == {"users", "workouts", "empty_table"}
    assert len(before["users"]) == 25
    assert len(before["workouts"]) == 100

    made = await asyncio.to_thread(backup.backup, pg_admin_url, tmp_path, schemas=[schema])
    assert made.path.parent == tmp_path
    assert made.path.stat().st_mode & 0o077 == 0, "dumps hold personal data: owner only"
    assert backup.list_backups(tmp_path) == [made]

    def change() -> None:
        s = sql.Identifier(schema)
        with psycopg.connect(pg_admin_url) as conn:
            conn.execute(sql.SQL("DELETE FROM {}.users WHERE email LIKE 'u1%%'").format(s))
            conn.execute(sql.SQL("UPDATE {}.workouts SET calories = calories + 1").format(s))
            conn.execute(sql.SQL("INSERT INTO {}.empty_table VALUES (1), (2)").format(s))

    await asyncio.to_thread(change)
    changed = snapshot(pg_admin_url, schema)
    assert changed != before
    assert len(changed["users"]) < 25

    target = f"restore_{secrets.token_hex(4)}"
    scratch_databases.append(target)
    assert await asyncio.to_thread(backup.restore, pg_admin_url, made.path, into=target) == target
    restored_url = with_database(pg_admin_url, target)
    restored = snapshot(restored_url, schema)
    assert restored == before
    for table, rows in before.items():
        assert restored[table] == rows, table
    assert restored != changed

    # Not only rows: owner, constraints and the identity sequence came back too.
    with psycopg.connect(restored_url) as conn:
        owner = conn.execute(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
        assert owner == (schema_with_data.role,)
        s = sql.Identifier(schema)
        max_id = conn.execute(sql.SQL("SELECT max(id) FROM {}.workouts").format(s)).fetchone()
        user_id = conn.execute(sql.SQL("SELECT id FROM {}.users LIMIT 1").format(s)).fetchone()
        assert max_id is not None
        assert user_id is not None
        new_id = conn.execute(
            sql.SQL(
                "INSERT INTO {}.workouts (user_id, kind, calories, details) "
                "VALUES (%s, 'run', 1, '{{}}') RETURNING id"
            ).format(s),
            (user_id[0],),
        ).fetchone()
        assert new_id is not None
        assert new_id[0] > max_id[0]
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute(
                sql.SQL(
                    "INSERT INTO {}.workouts (user_id, kind, calories, details) "
                    "VALUES (gen_random_uuid(), 'run', 1, '{{}}')"
                ).format(s)
            )


async def test_restore_in_place_puts_the_changed_schema_back(
    pg_admin_url: str, schema_with_data: FreshSchema, tmp_path: Path
) -> None:
    schema = schema_with_data.schema
    before = snapshot(pg_admin_url, schema)
    made = await asyncio.to_thread(backup.backup, pg_admin_url, tmp_path, schemas=[schema])

    def change() -> None:
        s = sql.Identifier(schema)
        with psycopg.connect(pg_admin_url) as conn:
            conn.execute(sql.SQL("TRUNCATE {}.users CASCADE").format(s))
            conn.execute(sql.SQL("DROP TABLE {}.empty_table").format(s))

    await asyncio.to_thread(change)
    assert snapshot(pg_admin_url, schema) != before
    assert await asyncio.to_thread(backup.restore, pg_admin_url, made.path) == "fitness"
    assert snapshot(pg_admin_url, schema) == before


async def test_a_failed_restore_changes_nothing_and_drops_its_database(
    pg_admin_url: str, scratch_databases: list[str], tmp_path: Path
) -> None:
    junk = tmp_path / backup.backup_name(datetime.now(UTC))
    junk.write_bytes(b"PGDMP this is not a dump")
    target = f"restore_{secrets.token_hex(4)}"
    scratch_databases.append(target)
    with pytest.raises(backup.BackupError, match="pg_restore failed"):
        await asyncio.to_thread(backup.restore, pg_admin_url, junk, into=target)
    with psycopg.connect(with_database(pg_admin_url, "postgres")) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target,)).fetchone()
    assert found is None


def test_retention_keeps_the_newest(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    for day in range(20):
        name = backup.backup_name(start + timedelta(days=day))
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a backup")
    (tmp_path / "fitness-20260101T030000Z.dump.partial").write_bytes(b"half")
    deleted = backup.prune(tmp_path, 14)
    assert len(deleted) == 6
    kept = backup.list_backups(tmp_path)
    assert [b.taken_at for b in kept] == [start + timedelta(days=d) for d in range(6, 20)]
    assert (tmp_path / "notes.txt").exists()
    with pytest.raises(ValueError, match="at least 1"):
        backup.prune(tmp_path, 0)


def _cli(state: Path, pg_admin_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    # The launcher takes an external server from DATABASE_URL, as for `make up`.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": pg_admin_url}
    return subprocess.run(
        [sys.executable, "-m", "fitness_stack", "--state-dir", str(state), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


async def test_cli_backup_keeps_n_and_restores_the_newest(
    pg_admin_url: str,
    schema_with_data: FreshSchema,
    scratch_databases: list[str],
    tmp_path: Path,
) -> None:
    schema = schema_with_data.schema
    state = tmp_path / "state"
    folder = state / "backups"
    folder.mkdir(parents=True)
    old = datetime(2020, 1, 1, tzinfo=UTC)
    for day in range(3):
        (folder / backup.backup_name(old + timedelta(days=day))).write_bytes(b"old")
    before = snapshot(pg_admin_url, schema)

    made = await asyncio.to_thread(
        _cli, state, pg_admin_url, "backup", "--schema", schema, "--keep", "2"
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "2 kept (newest 2)" in made.stdout
    kept = backup.list_backups(folder)
    assert len(kept) == 2
    assert kept[0].taken_at == old + timedelta(days=2)
    newest = kept[-1]
    assert str(newest.path) in made.stdout
    assert pg_admin_url.split("@")[0] not in made.stdout + made.stderr, "no password printed"

    listed = await asyncio.to_thread(_cli, state, pg_admin_url, "restore", "--list")
    assert listed.returncode == 0
    assert listed.stdout.count(".dump") == 2

    target = f"restore_{secrets.token_hex(4)}"
    scratch_databases.append(target)
    restored = await asyncio.to_thread(_cli, state, pg_admin_url, "restore", "--into", target)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"restored {newest.path} into database {target}" in restored.stdout
    assert snapshot(with_database(pg_admin_url, target), schema) == before

    again = await asyncio.to_thread(_cli, state, pg_admin_url, "restore", "--into", target)
    assert again.returncode == 1
    assert "restore failed" in again.stderr
    empty = await asyncio.to_thread(_cli, tmp_path / "none", pg_admin_url, "restore")
    assert empty.returncode == 1
    assert "no backups in" in empty.stderr


async def test_whole_database_backup_round_trips(
    pg_admin_url: str, scratch_databases: list[str], tmp_path: Path
) -> None:
    """`make backup` dumps the whole database by default: a scratch database of its own (the
    session's `fitness` is shared with other tests) with two schemas, restored into a fresh
    database and then in place over changed data."""
    source = f"src_{secrets.token_hex(4)}"
    target = f"restore_{secrets.token_hex(4)}"
    scratch_databases += [source, target]
    await asyncio.to_thread(backup.create_database, pg_admin_url, source)
    source_url = with_database(pg_admin_url, source)

    def seed() -> None:
        with psycopg.connect(source_url) as conn:
            for schema in ("alpha", "beta"):
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
                _seed(conn, schema)

    await asyncio.to_thread(seed)
    before = {s: snapshot(source_url, s) for s in ("alpha", "beta")}
    made = await asyncio.to_thread(backup.backup, pg_admin_url, tmp_path, database=source)

    def change() -> None:
        with psycopg.connect(source_url) as conn:
            conn.execute("DELETE FROM alpha.users")
            conn.execute("DROP SCHEMA beta CASCADE")

    await asyncio.to_thread(change)
    await asyncio.to_thread(backup.restore, pg_admin_url, made.path, into=target)
    target_url = with_database(pg_admin_url, target)
    assert {s: snapshot(target_url, s) for s in ("alpha", "beta")} == before

    restored = await asyncio.to_thread(backup.restore, pg_admin_url, made.path, database=source)
    assert restored == source
    assert {s: snapshot(source_url, s) for s in ("alpha", "beta")} == before
